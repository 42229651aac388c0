"""The public archive: read-only pages over published articles and claims."""

from .outlets import OutletDetail, OutletList
from .pages import (
    ArticleDetail,
    ArticleList,
    ClaimList,
    FigureDetail,
    FigureList,
    Home,
    Methodology,
    OperationDetail,
    OperationList,
)
from .search import Search

__all__ = [
    "ArticleDetail",
    "ArticleList",
    "ClaimList",
    "FigureDetail",
    "FigureList",
    "Home",
    "Methodology",
    "OperationDetail",
    "OperationList",
    "OutletDetail",
    "OutletList",
    "Search",
]
