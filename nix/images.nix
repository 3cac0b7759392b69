# The OCI image: the app on a minimal base, non-root, one entrypoint.
#
#   nix build .#image && ./result | docker load
#   docker run sector-7g:latest webserver      # or: scheduler, worker homer, migrate
{ pkgs, app }:
let
  # nobody:nogroup from dockerTools.fakeNss: the image runs no root process.
  user = "65534:65534";
in
{
  image = pkgs.dockerTools.streamLayeredImage {
    name = "sector-7g";
    tag = "latest";
    contents = [
      app
      pkgs.dockerTools.fakeNss
      pkgs.cacert
      pkgs.tzdata
      # pg_dump and pg_restore, for the backups the Rod's worker takes
      pkgs.postgresql_16
    ];
    fakeRootCommands = ''
      mkdir -p ./data/backups ./tmp
      chown -R ${user} ./data
      chmod 1777 ./tmp
    '';
    enableFakechroot = true;
    config = {
      Entrypoint = [ "${app}/bin/sector-7g" ];
      Cmd = [ "webserver" ];
      User = user;
      WorkingDir = "/data";
      Env = [
        "APP_ENV=prod"
        "HOST=0.0.0.0"
        "IN_CONTAINER=true"
        "BACKUP_DIR=/data/backups"
        "SSL_CERT_FILE=${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt"
        "TZDIR=${pkgs.tzdata}/share/zoneinfo"
      ];
      ExposedPorts."8000/tcp" = { };
      Volumes."/data" = { };
    };
  };
}
