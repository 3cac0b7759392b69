"""nix/units.nix, evaluated with the real Nix evaluator and rendered to unit files.

NixOS turns `systemd.services.<name>` attributes into unit files; this does
the same for the attributes units.nix produces, so that systemd-analyze and a
real systemd can check exactly what NixOS would run.
"""

import json
import subprocess
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

# Attributes that NixOS places in [Unit], by their systemd names.
UNIT_LISTS = {
    "after": "After",
    "before": "Before",
    "requires": "Requires",
    "wants": "Wants",
    "partOf": "PartOf",
    "bindsTo": "BindsTo",
}


def evaluate_units(arguments: str) -> dict[str, Any]:
    """units.nix called with `arguments` (a Nix attrset), as JSON."""
    expression = (
        f"import {REPO}/nix/units.nix ({{ topology = builtins.fromTOML "
        f"(builtins.readFile {REPO}/app/topology.toml); }} // {arguments})"
    )
    result = subprocess.run(
        ["nix-instantiate", "--eval", "--strict", "--json", "-E", expression],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def _escape(text: str) -> str:
    """Inside a double-quoted systemd value, as NixOS writes it."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _lines(section: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in section.items():
        values = value if isinstance(value, list) else [value]
        lines += [f"{key}={_value(item)}" for item in values]
    return lines


def render_service(unit: dict[str, Any]) -> str:
    out = ["[Unit]", f"Description={unit['description']}"]
    for attribute, directive in UNIT_LISTS.items():
        if unit.get(attribute):
            out.append(f"{directive}={' '.join(unit[attribute])}")
    out += _lines(unit.get("unitConfig", {}))
    out.append("[Service]")
    environment = dict(unit.get("environment", {}))
    if unit.get("path"):
        environment["PATH"] = ":".join(f"{package}/bin" for package in unit["path"])
    out += [
        f'Environment="{_escape(f"{key}={value}")}"'
        for key, value in sorted(environment.items())
    ]
    out += _lines(unit["serviceConfig"])
    if unit.get("wantedBy"):
        out += ["[Install]", f"WantedBy={' '.join(unit['wantedBy'])}"]
    return "\n".join(out) + "\n"


def render_target(target: dict[str, Any]) -> str:
    lines = ["[Unit]", f"Description={target['description']}"]
    if target.get("wantedBy"):
        lines += ["[Install]", f"WantedBy={' '.join(target['wantedBy'])}"]
    return "\n".join(lines) + "\n"


def write_units(units: dict[str, Any], directory: Path) -> list[Path]:
    """Every service and target as a unit file in `directory`."""
    written = []
    for name, service in units["services"].items():
        path = directory / f"{name}.service"
        path.write_text(render_service(service))
        written.append(path)
    for name, target in units["targets"].items():
        path = directory / f"{name}.target"
        path.write_text(render_target(target))
        written.append(path)
    return written
