# nix/module.nix evaluated with nixpkgs' module system and stub declarations
# of the NixOS options it sets (the real nixpkgs is not needed, only its lib).
#
# `sources` holds nixpkgs.lib, pyproject.nix and uv2nix checkouts (never
# committed); `host` is the services.sector-7g configuration to evaluate.
{
  sources,
  host,
}:
let
  lib = import (sources + "/nixpkgs-lib/lib");
  inherit (lib) mkOption types;

  fakePackage = name: {
    type = "derivation";
    inherit name;
    outPath = "/nix/store/00000000000000000000000000000000-${name}";
  };

  pkgs = {
    postgresql_16 = fakePackage "postgresql-16";
    writeShellApplication = { name, ... }: fakePackage name;
  };

  anything = mkOption {
    type = types.anything;
    default = { };
  };

  # The nixpkgs options the module sets, declared loosely.
  stubs = {
    options = {
      assertions = mkOption {
        type = types.listOf types.anything;
        default = [ ];
      };
      environment.systemPackages = mkOption {
        type = types.listOf types.anything;
        default = [ ];
      };
      networking.firewall.allowedTCPPorts = mkOption {
        type = types.listOf types.port;
        default = [ ];
      };
      systemd = {
        package = mkOption {
          type = types.anything;
          default = fakePackage "systemd";
        };
        services = mkOption {
          type = types.attrsOf (types.attrsOf types.anything);
          default = { };
        };
        targets = mkOption {
          type = types.attrsOf (types.attrsOf types.anything);
          default = { };
        };
      };
      services.postgresql = {
        enable = mkOption {
          type = types.bool;
          default = false;
        };
        package = mkOption {
          type = types.package;
          default = fakePackage "postgresql-default";
        };
        ensureDatabases = mkOption {
          type = types.listOf types.str;
          default = [ ];
        };
        ensureUsers = mkOption {
          type = types.listOf types.anything;
          default = [ ];
        };
      };
      services.redis.servers = mkOption {
        type = types.attrsOf (types.attrsOf types.anything);
        default = { };
      };
      services.traefik = {
        enable = mkOption {
          type = types.bool;
          default = false;
        };
        static = anything;
        dynamic = anything;
      };
    };
  };

  evaluated = lib.evalModules {
    modules = [
      stubs
      (import ../../nix/module.nix)
      { services.sector-7g = host; }
    ];
    specialArgs = { inherit pkgs; };
  };
  inherit (evaluated) config;
in
{
  failedAssertions = map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions);
  services = lib.mapAttrs (_: unit: {
    inherit (unit) requires environment;
    serviceConfig = {
      inherit (unit.serviceConfig) ExecStart LoadCredential SupplementaryGroups MemoryMax;
    };
  }) config.systemd.services;
  targets = builtins.attrNames config.systemd.targets;
  postgresql = {
    inherit (config.services.postgresql) enable ensureDatabases ensureUsers;
  };
  redis = config.services.redis.servers;
  traefik = {
    inherit (config.services.traefik) enable static dynamic;
  };
  firewall = config.networking.firewall.allowedTCPPorts;
  cli = map (p: p.name) config.environment.systemPackages;
}
