# The flake's outputs, by name, with every input stubbed: what `nix flake show`
# would list, checked without nixpkgs.
{ sources, repo }:
let
  lib = import (sources + "/nixpkgs-lib/lib");
  flake = import (repo + "/flake.nix");
  nixpkgs = {
    lib = lib // {
      nixosSystem = args: {
        config = { };
        inherit args;
      };
    };
    legacyPackages = { };
  };
  outputs = flake.outputs {
    self = outputs;
    inherit nixpkgs;
    pyproject-nix = { };
    uv2nix = { };
    pyproject-build-systems = { };
  };
  names = lib.mapAttrs (_: builtins.attrNames);
in
{
  top = builtins.attrNames outputs;
  packages = names outputs.packages;
  apps = names outputs.apps;
  checks = names outputs.checks;
  devShells = names outputs.devShells;
  inputs = builtins.attrNames flake.inputs;
  vmSystem = outputs.nixosConfigurations.vm.args.system;
}
