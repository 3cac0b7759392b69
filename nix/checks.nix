# The test suite as a derivation: real PostgreSQL and Redis from nixpkgs,
# started by the tests themselves inside the build sandbox (loopback only).
{
  pkgs,
  pythonSet,
  workspace,
  src,
}:
let
  venv = pythonSet.mkVirtualEnv "sector-7g-test-env" workspace.deps.all;
in
pkgs.stdenv.mkDerivation {
  name = "sector-7g-tests";
  inherit src;
  nativeBuildInputs = [
    venv
    pkgs.postgresql_16
    pkgs.redis
    pkgs.traefik
    pkgs.chromium
  ];
  # The dashboard's browser tests: Playwright drives Chromium through Node.js.
  env.PLAYWRIGHT_NODEJS_PATH = pkgs.lib.getExe pkgs.nodejs;
  dontConfigure = true;
  buildPhase = ''
    runHook preBuild
    export HOME=$TMPDIR
    # tests/nix runs Nix and systemd-analyze, which a build sandbox has not.
    pytest -p no:cacheprovider --ignore=tests/nix
    runHook postBuild
  '';
  installPhase = ''
    touch $out
  '';
}
