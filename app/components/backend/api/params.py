"""Path and query parameters the routers share, bounded as PostgreSQL keeps
them: a number outside its column's range is a 422, not a database error."""

from typing import Annotated

from fastapi import Path, Query

INT4_MAX = 2**31 - 1  # PostgreSQL's integer: the ids
INT8_MAX = 2**63 - 1  # PostgreSQL's bigint: what OFFSET takes
MAX_PAGE_SIZE = 100

UserId = Annotated[int, Path(ge=1, le=INT4_MAX)]
PageOffset = Annotated[int, Query(ge=0, le=INT8_MAX)]
PageLimit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
