# The application, built from uv.lock with uv2nix.
{
  pkgs,
  pyproject-nix,
  uv2nix,
  pyproject-build-systems,
  src,
}:
let
  inherit (pkgs) lib;

  # Picked explicitly: uv2nix checks it against requires-python, and
  # nixos-unstable's `python3` moves (3.14 at the time of writing).
  python = pkgs.python313;

  workspace = uv2nix.lib.workspace.loadWorkspace { workspaceRoot = src; };

  # Wheels wherever uv.lock has them; every locked dependency has one for
  # CPython 3.13 on x86_64-linux and aarch64-linux, so no source build (and
  # no build-system override) is needed. The app itself is built from
  # source with hatchling, which pyproject-build-systems provides.
  overlay = workspace.mkPyprojectOverlay { sourcePreference = "wheel"; };

  pythonSet =
    (pkgs.callPackage pyproject-nix.build.packages { inherit python; }).overrideScope
      (
        lib.composeManyExtensions [
          pyproject-build-systems.overlays.wheel
          overlay
        ]
      );

  venv = pythonSet.mkVirtualEnv "sector-7g-env" workspace.deps.default;

  inherit (pkgs.callPackages pyproject-nix.build.util { }) mkApplication;
in
{
  inherit workspace pythonSet venv;

  # The venv trimmed to the app: its programs, without the interpreter's
  # activation scripts and other packages' entry points.
  app = mkApplication {
    inherit venv;
    package = pythonSet.sector-7g;
  };
}
