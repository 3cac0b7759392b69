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

  # flet_web's web client without the files a served dashboard never loads
  # (Pyodide, debug symbols, source maps): flet-web-unused.txt lists them and
  # says why; bench/shipped.py removes the same files for the size benchmark.
  unusedFletWeb = builtins.filter (line: line != "" && !lib.hasPrefix "#" line) (
    map lib.trim (lib.splitString "\n" (builtins.readFile ./flet-web-unused.txt))
  );

  # Runs after the wheel's files are in $out (pyproject.nix's install phase
  # ends with `runHook postInstall`). Every pattern is checked before any is
  # removed: one that matches nothing fails the build, as the list is stale.
  pruneFletWeb = _final: prev: {
    flet-web = prev.flet-web.overrideAttrs (old: {
      postInstall = (old.postInstall or "") + ''
        (
          cd "$out/${python.sitePackages}/flet_web"
          shopt -s globstar nullglob
          for pattern in ${lib.escapeShellArgs unusedFletWeb}; do
            matches=($pattern)
            if [[ ! -e ''${matches[0]-} ]]; then
              echo "nix/flet-web-unused.txt: $pattern matches nothing in flet_web" >&2
              exit 1
            fi
          done
          for pattern in ${lib.escapeShellArgs unusedFletWeb}; do
            rm -rf -- $pattern
          done
        )
      '';
    });
  };

  pythonSet =
    (pkgs.callPackage pyproject-nix.build.packages { inherit python; }).overrideScope
      (
        lib.composeManyExtensions [
          pyproject-build-systems.overlays.wheel
          overlay
          pruneFletWeb
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
