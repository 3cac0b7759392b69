"""Traefik in front of the webserver, configured the same wherever it runs
(`sector-7g up`, the tests, Docker Compose): `/` and `/dashboard` go to the
webserver (websockets pass through), and its API and ping listen on an entry
point of their own. The NixOS module states the same routes in Nix.
"""


def routes(backend_url: str) -> str:
    """The file provider's configuration, as TOML."""
    return (
        "[http.routers.sector-7g]\n"
        'rule = "PathPrefix(`/`)"\n'
        'entryPoints = ["web"]\n'
        'service = "sector-7g"\n'
        "[http.routers.sector-7g-dashboard]\n"
        'rule = "PathPrefix(`/dashboard`)"\n'
        'entryPoints = ["web"]\n'
        'service = "sector-7g"\n'
        "[[http.services.sector-7g.loadBalancer.servers]]\n"
        f'url = "{backend_url}"\n'
    )


def arguments(*, web: str, api: str, routes_file: str) -> list[str]:
    """Traefik's static configuration as flags: `web` and `api` are addresses
    (`127.0.0.1:8080`, `:8081`)."""
    return [
        f"--entryPoints.web.address={web}",
        f"--entryPoints.traefik.address={api}",
        # The API answers on its own entry point only, which stays internal.
        "--api.insecure=true",
        "--ping=true",
        f"--providers.file.filename={routes_file}",
        "--global.checkNewVersion=false",
        "--global.sendAnonymousUsage=false",
    ]
