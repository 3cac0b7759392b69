{
  description = "sector-7g: the Springfield Nuclear Power Plant's service stack, as an appliance";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

    pyproject-nix = {
      url = "github:pyproject-nix/pyproject.nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };

    uv2nix = {
      url = "github:pyproject-nix/uv2nix";
      inputs.pyproject-nix.follows = "pyproject-nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };

    pyproject-build-systems = {
      url = "github:pyproject-nix/build-system-pkgs";
      inputs.pyproject-nix.follows = "pyproject-nix";
      inputs.uv2nix.follows = "uv2nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs =
    {
      self,
      nixpkgs,
      pyproject-nix,
      uv2nix,
      pyproject-build-systems,
      ...
    }:
    let
      inherit (nixpkgs) lib;
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = lib.genAttrs systems;

      # One Python set per system, with the app and its locked dependencies.
      build = forAllSystems (
        system:
        import ./nix/package.nix {
          pkgs = nixpkgs.legacyPackages.${system};
          inherit pyproject-nix uv2nix pyproject-build-systems;
          src = ./.;
        }
      );
    in
    {
      packages = forAllSystems (
        system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
          images = import ./nix/images.nix {
            inherit pkgs;
            app = build.${system}.app;
          };
        in
        {
          default = build.${system}.app;
          sector-7g = build.${system}.app;
          image = images.image;
        }
      );

      apps = forAllSystems (
        system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
          stack = pkgs.writeShellApplication {
            name = "sector-7g-up";
            runtimeInputs = [
              build.${system}.app
              pkgs.postgresql_16
              pkgs.redis
              pkgs.traefik
            ];
            text = ''exec sector-7g up "$@"'';
          };
        in
        {
          default = {
            type = "app";
            program = lib.getExe stack;
            meta.description = "Run the whole stack on this machine";
          };
        }
        // lib.optionalAttrs (system == "x86_64-linux") {
          vm = {
            type = "app";
            program = "${self.nixosConfigurations.vm.config.system.build.vm}/bin/run-sector-7g-vm";
            meta.description = "Boot a VM running the NixOS module";
          };
        }
      );

      devShells = forAllSystems (system: {
        default = import ./nix/devshell.nix {
          pkgs = nixpkgs.legacyPackages.${system};
          inherit (build.${system}) pythonSet workspace;
        };
      });

      nixosModules.default =
        { pkgs, lib, ... }:
        {
          imports = [ ./nix/module.nix ];
          services.sector-7g.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        };

      nixosConfigurations.vm = nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        modules = [
          self.nixosModules.default
          ./nix/vm.nix
        ];
      };

      checks = forAllSystems (
        system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
        in
        {
          tests = import ./nix/checks.nix {
            inherit pkgs;
            inherit (build.${system}) pythonSet workspace;
            src = ./.;
          };
          ruff = pkgs.runCommand "sector-7g-ruff" { nativeBuildInputs = [ pkgs.ruff ]; } ''
            cd ${./.}
            ruff check --no-cache .
            ruff format --no-cache --check .
            touch $out
          '';
          vm-test = import ./nix/tests/vm-test.nix {
            inherit pkgs;
            module = self.nixosModules.default;
          };
        }
      );

      formatter = forAllSystems (system: nixpkgs.legacyPackages.${system}.nixfmt);
    };
}
