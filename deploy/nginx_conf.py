"""Render deploy/nginx.conf for a set of app servers:

    python3 deploy/nginx_conf.py --server-name onboarding.example.com \
        --app 10.0.0.11:8000 --app 10.0.0.12:8000 \
        --certificate /etc/ssl/certs/onboarding.pem --key /etc/ssl/private/onboarding.key

prints the site configuration for /etc/nginx/conf.d/onboarding.conf. tests/test_deployment.py renders the
same template with render() for nginx on loopback.
"""
import argparse
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().with_name("nginx.conf")


def render(app_servers: list[str], server_name: str, certificate: str, key: str, http_port: int = 80,
           https_port: int = 443) -> str:
    """The template with every {{NAME}} replaced; raises ValueError when one is left or no server is given."""
    if not app_servers:
        raise ValueError("at least one app server (HOST:PORT) is needed")
    values = {
        "APP_SERVERS": "\n".join(f"    server {address};" for address in app_servers),
        "SERVER_NAME": server_name,
        "HTTP_PORT": str(http_port),
        "HTTPS_PORT": str(https_port),
        "CERTIFICATE": str(certificate),
        "CERTIFICATE_KEY": str(key),
    }
    text = TEMPLATE.read_text()
    body = text[text.index("\nupstream "):]  # the header comment names the placeholders: leave it as written
    for name, value in values.items():
        body = body.replace("{{" + name + "}}", value)
    left = re.findall(r"\{\{\w+\}\}", body)
    if left:
        raise ValueError(f"{TEMPLATE} has placeholders render() does not fill: {', '.join(sorted(set(left)))}")
    return text[:text.index("\nupstream ")] + body


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", action="append", required=True, metavar="HOST:PORT",
                        help="an app server (gunicorn --bind); give it once per server")
    parser.add_argument("--server-name", required=True)
    parser.add_argument("--certificate", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--http-port", type=int, default=80)
    parser.add_argument("--https-port", type=int, default=443)
    args = parser.parse_args(argv)
    sys.stdout.write(render(args.app, args.server_name, args.certificate, args.key, args.http_port, args.https_port))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
