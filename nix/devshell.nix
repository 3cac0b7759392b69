# `nix develop`: the app installed editable from this checkout, every tool of
# uv.lock's dev group (pytest, ruff, ty, playwright), and the servers and
# browser the tests start.
{
  pkgs,
  pythonSet,
  workspace,
}:
let
  inherit (pkgs) lib;
  editableSet = pythonSet.overrideScope (
    workspace.mkEditablePyprojectOverlay { root = "$REPO_ROOT"; }
  );
  venv = editableSet.mkVirtualEnv "sector-7g-dev-env" workspace.deps.all;
in
pkgs.mkShell {
  packages = [
    venv
    pkgs.uv
    pkgs.postgresql_16
    pkgs.redis
    pkgs.traefik
    pkgs.chromium
    pkgs.nixfmt
  ];
  env = {
    UV_NO_SYNC = "1";
    UV_PYTHON = editableSet.python.interpreter;
    UV_PYTHON_DOWNLOADS = "never";
    # Playwright drives the browser through Node.js: nixpkgs' own, rather
    # than the copy inside its wheel.
    PLAYWRIGHT_NODEJS_PATH = lib.getExe pkgs.nodejs;
  };
  shellHook = ''
    unset PYTHONPATH
    export REPO_ROOT=$(git rev-parse --show-toplevel)
  '';
}
