"""The jobs the deployment tests run through a whole stack."""

# One job per queue, of tasks that do not fail by design; the backup also
# proves pg_dump on the app's PATH and its backups directory writable.
ONE_PER_QUEUE = {
    "inanimate_rod": "backup_database",
    "homer": "eat_donut_task",
    "lenny": "run_diagnostics_task",
    "carl": "handle_inspector_task",
    "charlie": "monitor_gauges_task",
    "grimey": "grimey_sim_task",  # 20-40 s at full scale: Grimey checks everything
}
