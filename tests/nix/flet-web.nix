# nix/package.nix's Python set, evaluated on stand-ins for the few parts of
# nixpkgs it reaches (stdenv.mkDerivation with overrideAttrs, fetchurl, the
# interpreter's facts): the real uv2nix overlay and our flet-web override,
# composed as the flake composes them. Nothing is built.
#
# `sources` holds nixpkgs.lib, pyproject.nix, uv2nix and build-system-pkgs
# checkouts (never committed); `repo` is this repository.
{ sources, repo }:
let
  lib = import (sources + "/nixpkgs-lib/lib");
  pyproject-nix = import (sources + "/pyproject-nix") { inherit lib; };
  uv2nix = import (sources + "/uv2nix") { inherit lib pyproject-nix; };
  pyproject-build-systems = import (sources + "/build-system-pkgs") {
    inherit lib pyproject-nix uv2nix;
  };
  platform = lib.systems.elaborate "x86_64-linux";

  # A derivation's attributes, with nixpkgs' overrideAttrs semantics; its
  # store path changes with its postInstall, so a set built from the
  # overridden package can be told from one built from the original.
  mkDerivation =
    let
      extensible =
        rattrs:
        let
          attrs = lib.fix rattrs;
          name = attrs.name or "${attrs.pname}-${attrs.version}";
          hash = builtins.hashString "sha256" (attrs.postInstall or "");
        in
        attrs
        // {
          type = "derivation";
          inherit name;
          outPath = "/nix/store/${builtins.substring 0 32 hash}-${name}";
          overrideAttrs = f: extensible (lib.extends (lib.toExtension f) rattrs);
        };
    in
    args: extensible (if builtins.isFunction args then args else _: args);

  fake = name: {
    type = "derivation";
    inherit name;
    outPath = "/nix/store/00000000000000000000000000000000-${name}";
  };

  stdenv = {
    inherit mkDerivation;
    isLinux = true;
    isDarwin = false;
    hostPlatform = platform;
    buildPlatform = platform;
    targetPlatform = platform;
    cc.libc = {
      pname = "glibc";
      version = "2.40";
    };
  };

  # The facts of nixpkgs' python313 that pyproject.nix and uv2nix read.
  python313 = fake "python3-3.13.7" // rec {
    pname = "python3";
    version = "3.13.7";
    pythonVersion = "3.13";
    sitePackages = "lib/python${pythonVersion}/site-packages";
    implementation = "cpython";
    sourceVersion = {
      major = "3";
      minor = "13";
      patch = "7";
      suffix = "";
    };
    passthru = { inherit implementation pythonVersion sourceVersion; };
    inherit stdenv;
  };

  pkgs = {
    inherit lib stdenv python313 pkgs;
    callPackage = lib.callPackageWith pkgs;
    newScope = extra: lib.callPackageWith (pkgs // extra);
    buildPackages = pkgs;
    fetchurl = args: fake args.name // { passthru.url = args.url; };
    autoPatchelfHook = fake "auto-patchelf-hook";
    unzip = fake "unzip";
    pythonManylinuxPackages = {
      manylinux1 = [ ];
      manylinux2010 = [ ];
      manylinux2014 = [ ];
    };
  };

  built = import (repo + "/nix/package.nix") {
    inherit
      pkgs
      pyproject-nix
      uv2nix
      pyproject-build-systems
      ;
    src = repo;
  };
  fletWeb = built.pythonSet.flet-web;
in
{
  inherit (fletWeb) pname version postInstall;
  sitePackages = python313.sitePackages;
  wheel = fletWeb.src.name;
  storePath = fletWeb.outPath;
  # What the venv (and so the app and the images) is made of.
  venvDependencies = lib.splitString ":" built.venv.NIX_PYPROJECT_DEPS;
}
