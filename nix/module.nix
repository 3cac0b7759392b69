# services.sector-7g: the app's processes as systemd units, with PostgreSQL,
# Redis and Traefik from their own NixOS modules when this host runs them.
#
# The units come from ./units.nix (pure; CI renders and runs them under a
# real systemd). This module turns options into its arguments and wires the
# neighbouring services.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.sector-7g;
  inherit (lib)
    mkEnableOption
    mkIf
    mkMerge
    mkOption
    types
    ;

  topology = builtins.fromTOML (builtins.readFile ../app/topology.toml);
  queues = builtins.attrNames topology.queues;

  name = "sector-7g";
  redisServer = name;
  redisUnit = "redis-${redisServer}.service";
  socketDir = "/run/postgresql";
  redisSocket = "/run/redis-${redisServer}/redis.sock";
  stateDir = "/var/lib/${name}";
  localDatabaseUrl = "postgresql://${name}@/${name}?host=${socketDir}";
  localRedisUrl = "unix://${redisSocket}?db=0";

  # Derived roles: migrations run where the webserver or the scheduler runs,
  # unless set; a workers-only host leaves them to the main host.
  anyRole = cfg.webserver.enable || cfg.scheduler.enable || enabledQueues != [ ];
  enabledQueues = builtins.filter (queue: cfg.workers.${queue}.enable) queues;

  # Every process reads its secrets from its credentials directory.
  credentials = lib.filterAttrs (_: file: file != null) {
    secret_key = cfg.secretKeyFile;
    database_password = cfg.database.passwordFile;
    redis_password = cfg.redis.passwordFile;
    docs_password = cfg.docsPasswordFile;
  };

  # Environment values are strings; booleans as the app reads them.
  asEnvironmentValue = value: if builtins.isBool value then lib.boolToString value else toString value;

  environment = lib.mapAttrs (_: asEnvironmentValue) (
    {
      DATABASE_URL = cfg.database.url;
      REDIS_URL = cfg.redis.url;
      HOST = cfg.webserver.listenAddress;
      PORT = cfg.webserver.port;
      BACKUP_DIR = "${stateDir}/backups";
      LOG_FORMAT = "json";
    }
    // cfg.settings
  );

  units = import ./units.nix {
    inherit topology environment credentials;
    package = cfg.package;
    environmentFiles = lib.optional (cfg.environmentFile != null) cfg.environmentFile;
    webserver = cfg.webserver.enable;
    scheduler = cfg.scheduler.enable;
    migrate = cfg.migrate.enable;
    workers = lib.mapAttrs (_: worker: {
      inherit (worker) enable maxJobs;
    }) cfg.workers;
    dependencies =
      lib.optional cfg.database.createLocally "postgresql.target"
      ++ lib.optional cfg.redis.createLocally redisUnit;
    supplementaryGroups = lib.optional cfg.redis.createLocally "redis-${redisServer}";
    # pg_dump and pg_restore for backups, matching the server's version.
    path = [ cfg.database.clientPackage ];
  };

  # The CLI as the services run it: same user, settings and credentials.
  cli = pkgs.writeShellApplication {
    name = "sector-7g-cli";
    runtimeInputs = [ config.systemd.package ];
    text = ''
      exec systemd-run --quiet --wait --pipe --collect \
        --property=DynamicUser=yes --property=User=${name} --property=Group=${name} \
        ${
          lib.concatMapStringsSep " " (group: "--property=SupplementaryGroups=${group}") (
            lib.optional cfg.redis.createLocally "redis-${redisServer}"
          )
        } \
        ${
          lib.concatStringsSep " " (
            lib.mapAttrsToList (
              credential: file: "--property=LoadCredential=${credential}:${file}"
            ) credentials
          )
        } \
        ${
          lib.optionalString (
            cfg.environmentFile != null
          ) "--property=EnvironmentFile=${cfg.environmentFile}"
        } \
        ${
          lib.concatStringsSep " " (
            lib.mapAttrsToList (
              variable: value: "--setenv=${variable}=${lib.escapeShellArg value}"
            ) environment
          )
        } \
        ${cfg.package}/bin/sector-7g "$@"
    '';
  };

  workerOptions = queue: {
    enable = mkOption {
      type = types.bool;
      default = true;
      description = "Whether this host runs the ${queue} worker.";
    };
    maxJobs = mkOption {
      type = types.nullOr types.ints.positive;
      default = null;
      example = 5;
      description = ''
        Jobs the ${queue} worker runs at once; null keeps the process table's
        ${toString topology.queues.${queue}.max_jobs}.
      '';
    };
  };
in
{
  options.services.sector-7g = {
    enable = mkEnableOption "sector-7g, the Sector 7G service stack";

    package = mkOption {
      type = types.package;
      description = "The sector-7g application (the flake's `packages.<system>.default`).";
    };

    settings = mkOption {
      type = types.submodule {
        freeformType = types.attrsOf (
          types.oneOf [
            types.str
            types.int
            types.bool
            types.float
          ]
        );
        options.APP_ENV = mkOption {
          type = types.enum [
            "dev"
            "prod"
          ];
          default = "prod";
          description = "`prod` makes every process refuse a weak or missing secret key.";
        };
      };
      default = { };
      example = {
        SCHEDULER_TIMEZONE = "America/Chicago";
        SIMULATION_ENABLED = false;
      };
      description = ''
        Non-secret settings, as environment variables (see the README's
        settings table). They end up in the Nix store: secrets belong in the
        `*File` options or in `environmentFile`.
      '';
    };

    environmentFile = mkOption {
      type = types.nullOr types.externalPath;
      default = null;
      example = "/run/secrets/sector-7g.env";
      description = "A file of further environment variables, outside the store.";
    };

    secretKeyFile = mkOption {
      type = types.nullOr types.externalPath;
      default = null;
      example = "/run/secrets/sector-7g/secret_key";
      description = ''
        The key that signs access tokens, in a file outside the store (at least
        32 random characters). Required with APP_ENV=prod.
      '';
    };

    docsPasswordFile = mkOption {
      type = types.nullOr types.externalPath;
      default = null;
      description = "Password of the API documentation at /docs; without it, no docs in prod.";
    };

    webserver = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = "Whether this host runs the webserver (API and dashboard).";
      };
      listenAddress = mkOption {
        type = types.str;
        default = "127.0.0.1";
        description = "Address the webserver binds; Traefik reaches it there.";
      };
      port = mkOption {
        type = types.port;
        default = topology.webserver.port;
        defaultText = lib.literalExpression "the process table's webserver port";
        description = "Port the webserver binds.";
      };
    };

    scheduler.enable = mkOption {
      type = types.bool;
      default = true;
      description = "Whether this host runs a scheduler (one leads among all hosts).";
    };

    migrate.enable = mkOption {
      type = types.bool;
      default = cfg.webserver.enable || cfg.scheduler.enable;
      defaultText = lib.literalExpression "webserver.enable || scheduler.enable";
      description = "Whether this host migrates the database before starting the app.";
    };

    workers = mkOption {
      type = types.submodule {
        options = lib.genAttrs queues (queue: workerOptions queue);
      };
      default = { };
      example = {
        homer.maxJobs = 5;
        grimey.enable = false;
      };
      description = "The workers this host runs, one per queue of the process table.";
    };

    database = {
      createLocally = mkOption {
        type = types.bool;
        default = true;
        description = ''
          Whether to run PostgreSQL here, with a `${name}` database owned by the
          `${name}` role, reached over ${socketDir} with peer authentication.
        '';
      };
      url = mkOption {
        type = types.str;
        default = localDatabaseUrl;
        example = "postgresql://sector-7g@db.internal:5432/sector-7g";
        description = "The database; a remote one for hosts that do not run PostgreSQL.";
      };
      passwordFile = mkOption {
        type = types.nullOr types.externalPath;
        default = null;
        description = "Password of the database user, for a remote database.";
      };
      clientPackage = mkOption {
        type = types.package;
        default = config.services.postgresql.package;
        defaultText = lib.literalExpression "config.services.postgresql.package";
        description = "Where pg_dump and pg_restore come from, for backups.";
      };
    };

    redis = {
      createLocally = mkOption {
        type = types.bool;
        default = true;
        description = ''
          Whether to run Redis here (`services.redis.servers.${redisServer}`:
          append-only, never evicting, on a unix socket only).
        '';
      };
      url = mkOption {
        type = types.str;
        default = localRedisUrl;
        example = "redis://redis.internal:6379/0";
        description = "The Redis server; a remote one for hosts that do not run Redis.";
      };
      passwordFile = mkOption {
        type = types.nullOr types.externalPath;
        default = null;
        description = "Password of a remote Redis.";
      };
    };

    traefik = {
      enable = mkEnableOption "Traefik in front of the webserver, on port 80";
      hostName = mkOption {
        type = types.str;
        default = "localhost";
        example = "plant.example.com";
        description = "The host name Traefik routes to the webserver.";
      };
    };

    unitNames = mkOption {
      type = types.listOf types.str;
      readOnly = true;
      internal = true;
      default = builtins.attrNames units.services;
      description = "The app's systemd services on this host, to order other units by.";
    };

    openFirewall = mkOption {
      type = types.bool;
      default = false;
      description = "Whether to open port 80 (with Traefik) or the webserver's port.";
    };
  };

  config = mkIf cfg.enable (mkMerge [
    {
      assertions = [
        {
          assertion = anyRole;
          message = "services.sector-7g: every process is switched off on this host.";
        }
        {
          assertion = cfg.settings.APP_ENV != "prod" || cfg.secretKeyFile != null;
          message = "services.sector-7g.secretKeyFile is required with APP_ENV=prod.";
        }
        {
          assertion = cfg.database.createLocally || cfg.database.url != localDatabaseUrl;
          message = "services.sector-7g.database.url must name the remote database when database.createLocally is false.";
        }
        {
          assertion = cfg.redis.createLocally || cfg.redis.url != localRedisUrl;
          message = "services.sector-7g.redis.url must name the remote Redis when redis.createLocally is false.";
        }
        {
          assertion = !cfg.traefik.enable || cfg.webserver.enable;
          message = "services.sector-7g.traefik needs the webserver on the same host.";
        }
        {
          assertion = !(cfg.settings ? SECRET_KEY || cfg.settings ? DATABASE_PASSWORD || cfg.settings ? REDIS_PASSWORD);
          message = "services.sector-7g.settings would put a secret in the Nix store: use the *File options.";
        }
      ];

      systemd.services = units.services;
      systemd.targets = units.targets;
      environment.systemPackages = [ cli ];
    }

    (mkIf cfg.database.createLocally {
      services.postgresql = {
        enable = true;
        package = lib.mkDefault pkgs.postgresql_16;
        ensureDatabases = [ name ];
        ensureUsers = [
          {
            inherit name;
            ensureDBOwnership = true;
          }
        ];
      };
    })

    (mkIf cfg.redis.createLocally {
      services.redis.servers.${redisServer} = {
        enable = true;
        # Queued jobs survive a restart; queue keys are never evicted.
        appendOnly = true;
        settings.maxmemory-policy = "noeviction";
      };
    })

    (mkIf cfg.traefik.enable {
      services.traefik = {
        enable = true;
        static.settings = {
          entryPoints.web.address = ":80";
          ping = { };
        };
        dynamic.files.${name}.settings.http = {
          # `/` and `/dashboard` (its websocket included) go to the webserver.
          routers = {
            "${name}" = {
              rule = "Host(`${cfg.traefik.hostName}`)";
              entryPoints = [ "web" ];
              service = name;
            };
            "${name}-dashboard" = {
              rule = "Host(`${cfg.traefik.hostName}`) && PathPrefix(`/dashboard`)";
              entryPoints = [ "web" ];
              service = name;
            };
          };
          services.${name}.loadBalancer.servers = [
            { url = "http://${cfg.webserver.listenAddress}:${toString cfg.webserver.port}"; }
          ];
        };
      };
    })

    (mkIf cfg.openFirewall {
      networking.firewall.allowedTCPPorts = [
        (if cfg.traefik.enable then 80 else cfg.webserver.port)
      ];
    })
  ]);
}
