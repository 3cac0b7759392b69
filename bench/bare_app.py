"""The baseline webserver: uvicorn and FastAPI returning a small JSON document,
served as the product's webserver is (one process, uvicorn's defaults: uvloop
and httptools when installed, no access log).

    python -m bench.bare_app PORT
"""

import sys

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def hello() -> dict[str, str]:
    return {"status": "ok"}


def main() -> None:
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_config=None,
        access_log=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
