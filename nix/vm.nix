# nixosConfigurations.vm: the whole module in a VM, for trying it out.
#
#   nix run .#vm     # then http://localhost:8080 on the host
#
# The secret key is generated inside the VM at first boot, never in the store.
{
  config,
  lib,
  pkgs,
  modulesPath,
  ...
}:
let
  secretDir = "/var/lib/sector-7g-secrets";
in
{
  imports = [ "${modulesPath}/virtualisation/qemu-vm.nix" ];

  networking.hostName = "sector-7g-vm";
  system.stateVersion = "26.05";

  virtualisation = {
    memorySize = 2048;
    cores = 2;
    diskSize = 4096;
    graphics = false;
    forwardPorts = [
      {
        from = "host";
        host.port = 8080;
        guest.port = 80;
      }
    ];
  };

  services.sector-7g = {
    enable = true;
    secretKeyFile = "${secretDir}/secret_key";
    traefik.enable = true;
    openFirewall = true;
  };

  # A fresh random key on first boot, before any app unit starts.
  systemd.services.sector-7g-secret = {
    description = "sector-7g: generate the secret key";
    wantedBy = [ "sector-7g.target" ];
    before = map (unit: "${unit}.service") config.services.sector-7g.unitNames;
    unitConfig.ConditionPathExists = "!${secretDir}/secret_key";
    serviceConfig = {
      Type = "oneshot";
      UMask = "0077";
    };
    script = ''
      mkdir -p ${secretDir}
      ${pkgs.openssl}/bin/openssl rand -base64 48 > ${secretDir}/secret_key
    '';
  };

  # A console you can log into, to create the first administrator:
  #   sector-7g-cli auth create-user you@example.com --admin
  services.getty.autologinUser = "root";
  environment.systemPackages = [ pkgs.curl ];
}
