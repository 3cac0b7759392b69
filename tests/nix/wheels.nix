# uv.lock as uv2nix resolves it for one platform and interpreter: which wheel
# each package would be built from (null: none fits, a source build).
{
  sources,
  repo,
  system ? "x86_64-linux",
  interpreterVersion ? "3.13.7",
}:
let
  lib = import (sources + "/nixpkgs-lib/lib");
  pyproject-nix = import (sources + "/pyproject-nix") { inherit lib; };
  uv2nix = import (sources + "/uv2nix") { inherit lib pyproject-nix; };
  inherit (pyproject-nix.lib) pep508 pypa;
  platform = lib.systems.elaborate system;
  versionParts = lib.splitVersion interpreterVersion;
  python = rec {
    pname = "python3";
    version = interpreterVersion;
    pythonVersion = lib.versions.majorMinor version;
    implementation = "cpython";
    sourceVersion = { major = builtins.elemAt versionParts 0; minor = builtins.elemAt versionParts 1; patch = builtins.elemAt versionParts 2; suffix = ""; };
    passthru = { inherit implementation pythonVersion sourceVersion; };
    stdenv = {
      targetPlatform = platform; hostPlatform = platform; buildPlatform = platform;
      cc.libc = { pname = "glibc"; version = "2.40"; };
    };
  };
  environ = pep508.mkEnviron python;
  lock = uv2nix.lib.lock1.parseLock (lib.importTOML (repo + "/uv.lock"));
  resolved = uv2nix.lib.lock1.resolveDependencies {
    inherit lock environ;
    dependencies = [ "sector-7g" ];
  };
  packages = builtins.filter (pkg: !(uv2nix.lib.lock1.isLocalPackage pkg)) (builtins.attrValues resolved);
  check = pkg: {
    name = pkg.name;
    version = pkg.version;
    wheel = let selected = pypa.selectWheels platform python (map (w: w.file') pkg.wheels); in
      if selected == [ ] then null else (builtins.head selected).filename;
  };
in map check packages
