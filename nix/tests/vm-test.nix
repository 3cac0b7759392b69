# Two hosts: `main` runs everything (PostgreSQL, Redis, Traefik and every
# process); `workers` runs only workers, against main's PostgreSQL and Redis.
#
#   nix build .#checks.x86_64-linux.vm-test
{ pkgs, module }:
let
  keys = "/run/keys/sector-7g";
  # Test-only secrets: written by tmpfiles at boot, never by the module.
  secretKey = "vm-test-secret-key-0123456789abcdef0123456789";
  redisPassword = "vm-test-redis-password";
  databasePassword = "vm-test-database-password";

  secretFiles = {
    systemd.tmpfiles.rules = [
      "d ${keys} 0700 root root -"
      "f ${keys}/secret_key 0600 root root - ${secretKey}"
      "f ${keys}/redis_password 0600 root root - ${redisPassword}"
      "f ${keys}/database_password 0600 root root - ${databasePassword}"
    ];
  };

  common = {
    enable = true;
    secretKeyFile = "${keys}/secret_key";
    settings = {
      APP_ENV = "prod";
      # The jobs this test enqueues, and no others.
      SIMULATION_ENABLED = false;
    };
  };
in
pkgs.testers.runNixOSTest {
  name = "sector-7g";

  nodes = {
    main = {
      imports = [
        module
        secretFiles
      ];
      virtualisation.memorySize = 2048;
      networking.firewall.allowedTCPPorts = [
        80
        5432
        6379
      ];
      services.sector-7g = common // {
        traefik.enable = true;
        redis.passwordFile = "${keys}/redis_password";
      };
      # The workers host reaches PostgreSQL and Redis over the network.
      services.postgresql = {
        enableTCPIP = true;
        authentication = ''
          host sector-7g sector-7g 192.168.1.0/24 scram-sha-256
        '';
      };
      services.redis.servers.sector-7g = {
        bind = "0.0.0.0";
        port = 6379;
        requirePassFile = "${keys}/redis_password";
      };
    };

    workers = {
      imports = [
        module
        secretFiles
      ];
      virtualisation.memorySize = 1536;
      services.sector-7g = common // {
        webserver.enable = false;
        scheduler.enable = false;
        database = {
          createLocally = false;
          url = "postgresql://sector-7g@main:5432/sector-7g";
          passwordFile = "${keys}/database_password";
        };
        redis = {
          createLocally = false;
          url = "redis://main:6379/0";
          passwordFile = "${keys}/redis_password";
        };
      };
    };
  };

  testScript = ''
    import json

    QUEUE_TASKS = {
        "inanimate_rod": "trim_event_stream",
        "homer": "rush_out_task",
        "lenny": "file_report_task",
        "carl": "make_announcement_task",
        "charlie": "log_shift_notes_task",
        "grimey": "audit_task_history",
    }
    MAIN_UNITS = ["migrate", "webserver", "scheduler"] + [
        "worker-" + queue.replace("_", "-") for queue in QUEUE_TASKS
    ]
    API = "curl -fsS -H 'Host: localhost' http://localhost"

    start_all()

    with subtest("every unit of the main host is active"):
        main.wait_for_unit("postgresql.target")
        main.succeed(
            "runuser -u postgres -- psql -c "
            "\"ALTER ROLE \\\"sector-7g\\\" PASSWORD '${databasePassword}'\""
        )
        main.wait_for_unit("sector-7g.target")
        for unit in MAIN_UNITS:
            main.wait_for_unit(f"sector-7g-{unit}.service")

    with subtest("ready through Traefik"):
        main.wait_until_succeeds(f"{API}/health/ready", timeout=60)

    with subtest("the dashboard, and its websocket, through Traefik"):
        page = main.succeed(f"{API}/dashboard/")
        assert "<title>Sector 7G</title>" in page, page[:500]
        # Traefik must pass the upgrade on: the server answers 101.
        upgrade = main.succeed(
            "curl -si -m 3 --http1.1 -H 'Host: localhost'"
            " -H 'Connection: Upgrade' -H 'Upgrade: websocket'"
            " -H 'Sec-WebSocket-Version: 13'"
            " -H 'Sec-WebSocket-Key: c2VjdG9yLTdnLXZtdGVzdA=='"
            " http://localhost/dashboard/ws || true"
        )
        assert upgrade.startswith("HTTP/1.1 101"), upgrade

    with subtest("the workers host joins"):
        workers.systemctl("restart sector-7g.target")
        for queue in QUEUE_TASKS:
            unit = "sector-7g-worker-" + queue.replace("_", "-")
            workers.wait_for_unit(f"{unit}.service")
        workers.fail("systemctl cat sector-7g-webserver.service")
        workers.fail("systemctl cat sector-7g-migrate.service")

    with subtest("log in"):
        main.succeed(
            "printf 'vm-test-password\\n' | sector-7g-cli auth create-user"
            " admin@sector-7g.dev --admin --password-file /dev/stdin"
        )
        token = json.loads(main.succeed(
            f"{API}/api/v1/auth/token"
            " -d username=admin@sector-7g.dev -d password=vm-test-password"
        ))["access_token"]
        AUTH = f"-H 'Authorization: Bearer {token}'"

    def enqueue(task):
        body = json.dumps({"task": task})
        reply = main.succeed(
            f"{API}/api/v1/tasks/enqueue {AUTH} -H 'Content-Type: application/json'"
            f" -d '{body}'"
        )
        return json.loads(reply)["job_id"]

    def status(job_id):
        return json.loads(main.succeed(f"{API}/api/v1/tasks/{job_id} {AUTH}"))

    with subtest("one job per queue completes, on either host"):
        jobs = [enqueue(task) for task in QUEUE_TASKS.values()]
        for job_id in jobs:
            main.wait_until_succeeds(
                f"{API}/api/v1/tasks/{job_id} {AUTH} | grep -q '\"status\":\"completed\"'",
                timeout=120,
            )

    with subtest("the scheduler leads"):
        statistics = json.loads(main.succeed(f"{API}/api/v1/scheduler/statistics {AUTH}"))
        assert statistics["leader"] is not None, statistics
        assert statistics["jobs"]["total"] > 20, statistics

    with subtest("a restarted worker loses no job"):
        job_id = enqueue("grimey_sim_task")
        main.wait_until_succeeds(
            f"{API}/api/v1/tasks/{job_id} {AUTH} | grep -q '\"status\":\"running\"'",
            timeout=60,
        )
        main.systemctl("restart sector-7g-worker-grimey.service")
        workers.systemctl("restart sector-7g-worker-grimey.service")
        main.wait_until_succeeds(
            f"{API}/api/v1/tasks/{job_id} {AUTH} | grep -q '\"status\":\"completed\"'",
            timeout=180,
        )
        assert status(job_id)["status"] == "completed"
  '';
}
