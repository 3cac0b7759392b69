# `nix develop`: the app installed editable from this checkout, every tool of
# uv.lock's dev group (pytest, ruff, ty), and the servers the tests start.
{
  pkgs,
  pythonSet,
  workspace,
}:
let
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
    pkgs.nixfmt
  ];
  env = {
    UV_NO_SYNC = "1";
    UV_PYTHON = editableSet.python.interpreter;
    UV_PYTHON_DOWNLOADS = "never";
  };
  shellHook = ''
    unset PYTHONPATH
    export REPO_ROOT=$(git rev-parse --show-toplevel)
  '';
}
