# The systemd units of sector-7g, from the process table.
#
# PURE: builtins only (no nixpkgs lib, no pkgs), so that CI can evaluate this
# very file with `nix-instantiate --eval --strict --json`, render the units and
# run them under a real systemd. nix/module.nix feeds it the module's options
# and puts the result in `systemd.services`.
#
# Every value is in the shape of NixOS's `systemd.services.<name>` options.
{
  # builtins.fromTOML of app/topology.toml
  topology,
  # the application: its programs are "${package}/bin/..."
  package,
  # non-secret settings, as environment variables (name -> string)
  environment ? { },
  # secrets: credential name -> file outside the store, passed with
  # LoadCredential; the app reads $CREDENTIALS_DIRECTORY/<name>
  credentials ? { },
  # files of further environment variables, outside the store
  environmentFiles ? [ ],
  # which processes this host runs
  webserver ? true,
  scheduler ? true,
  migrate ? true,
  # queue -> { enable ? true; maxJobs ? null; } (maxJobs overrides the table)
  workers ? { },
  # units every process of the app needs on this host, such as
  # "postgresql.target" and "redis-sector-7g.service"
  dependencies ? [ ],
  # groups that open doors, such as the Redis socket's
  supplementaryGroups ? [ ],
  # programs on PATH (pg_dump and pg_restore for backups)
  path ? [ ],
  # the account every unit runs as (allocated dynamically by systemd)
  user ? "sector-7g",
}:
let
  inherit (builtins)
    attrNames
    filter
    isString
    listToAttrs
    replaceStrings
    split
    toString
    ;

  # builtins has no toUpper: replace letter by letter.
  letters = text: filter (c: isString c && c != "") (split "" text);
  toUpper = replaceStrings (letters "abcdefghijklmnopqrstuvwxyz") (
    letters "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
  );

  name = "sector-7g";
  target = "${name}.target";
  migrateUnit = "${name}-migrate.service";
  program = "${package}/bin/sector-7g";

  # The app exits 78 (EX_CONFIG) on a configuration it refuses: restarting
  # cannot help.
  configErrorExit = 78;

  # One hardening set for every unit. Relaxations are per unit, each with
  # its reason.
  hardening = {
    DynamicUser = true;
    User = user;
    Group = user;
    SupplementaryGroups = supplementaryGroups;
    StateDirectory = name;
    StateDirectoryMode = "0700";
    UMask = "0077";
    ProtectSystem = "strict";
    ProtectHome = true;
    PrivateTmp = true;
    PrivateDevices = true;
    PrivateUsers = true;
    PrivateMounts = true;
    NoNewPrivileges = true;
    CapabilityBoundingSet = "";
    AmbientCapabilities = "";
    ProtectKernelTunables = true;
    ProtectKernelModules = true;
    ProtectKernelLogs = true;
    ProtectControlGroups = true;
    ProtectClock = true;
    ProtectHostname = true;
    ProtectProc = "invisible";
    ProcSubset = "pid";
    RestrictAddressFamilies = [
      "AF_UNIX"
      "AF_INET"
      "AF_INET6"
    ];
    RestrictNamespaces = true;
    RestrictRealtime = true;
    RestrictSUIDSGID = true;
    LockPersonality = true;
    MemoryDenyWriteExecute = true;
    SystemCallArchitectures = "native";
    SystemCallFilter = [
      "@system-service"
      "~@privileged @resources"
    ];
    DevicePolicy = "closed";
    KeyringMode = "private";
    RemoveIPC = true;
  };

  credentialList = map (credential: "${credential}:${credentials.${credential}}") (
    attrNames credentials
  );

  # What the app's processes wait for: the dependencies, and the migration
  # when this host runs it.
  appNeeds = dependencies ++ (if migrate then [ migrateUnit ] else [ ]);

  mkUnit =
    {
      description,
      command,
      needs,
      budget,
      extraEnvironment ? { },
      serviceConfig ? { },
    }:
    {
      inherit description path;
      after = needs;
      requires = needs;
      partOf = [ target ];
      wantedBy = [ target ];
      environment = environment // extraEnvironment;
      unitConfig = {
        # Give up after ten crashes a minute; systemd then reports the unit.
        StartLimitIntervalSec = 60;
        StartLimitBurst = 10;
      };
      serviceConfig =
        hardening
        // {
          Type = "exec";
          ExecStart = "${program} ${command}";
          Restart = "on-failure";
          RestartSec = 2;
          RestartPreventExitStatus = configErrorExit;
          TimeoutStopSec = 20;
          LoadCredential = credentialList;
          EnvironmentFile = environmentFiles;
          MemoryMax = "${toString budget.memory_max_mib}M";
          CPUQuota = "${toString budget.cpu_quota_percent}%";
        }
        // serviceConfig;
    };

  # worker-inanimate-rod: the Compose service name, and the unit's suffix.
  serviceName = queue: "worker-" + replaceStrings [ "_" ] [ "-" ] queue;

  workerOptions = queue: { enable = true; maxJobs = null; } // (workers.${queue} or { });

  workerUnit =
    queue:
    let
      spec = topology.queues.${queue};
      maxJobs = (workerOptions queue).maxJobs;
      variable = "WORKER_${toUpper queue}_MAX_JOBS";
    in
    {
      name = "${name}-${serviceName queue}";
      value = mkUnit {
        description = "sector-7g worker: ${spec.description}";
        command = "worker ${queue}";
        needs = appNeeds;
        budget = spec;
        extraEnvironment = if maxJobs == null then { } else { ${variable} = toString maxJobs; };
        serviceConfig = {
          # Running jobs get the queue's grace period, and a margin to exit.
          TimeoutStopSec = spec.shutdown_grace_s + 15;
        };
      };
    };

  enabledQueues = filter (queue: (workerOptions queue).enable) (attrNames topology.queues);

  optional = condition: unit: if condition then [ unit ] else [ ];

  units =
    optional migrate {
      name = "${name}-migrate";
      value = mkUnit {
        description = "sector-7g database migrations";
        command = "migrate";
        needs = dependencies;
        budget = topology.webserver;
        serviceConfig = {
          Type = "oneshot";
          RemainAfterExit = true;
          Restart = "no";
          # A migration on a large table takes its time.
          TimeoutStartSec = 600;
        };
      };
    }
    ++ optional webserver {
      name = "${name}-webserver";
      value = mkUnit {
        description = "sector-7g webserver: ${topology.webserver.description}";
        command = "webserver";
        needs = appNeeds;
        budget = topology.webserver;
        serviceConfig = {
          # The health check reads the host's CPU and memory (/proc/stat,
          # /proc/meminfo): the rest of /proc stays hidden.
          ProcSubset = "all";
        };
      };
    }
    ++ optional scheduler {
      name = "${name}-scheduler";
      value = mkUnit {
        description = "sector-7g scheduler: ${topology.scheduler.description}";
        command = "scheduler";
        needs = appNeeds;
        budget = topology.scheduler;
      };
    }
    ++ map workerUnit enabledQueues;
in
{
  services = listToAttrs units;
  targets.${name} = {
    description = "sector-7g: every process of the app on this host";
    wantedBy = [ "multi-user.target" ];
  };
}
