from django.urls import path

from . import feeds, sitemaps, views

app_name = "archive"

# These addresses are part of the product: readers cite and link to them.
urlpatterns = [
    path("", views.Home.as_view(), name="home"),
    path("search/", views.Search.as_view(), name="search"),
    path("figures/", views.FigureList.as_view(), name="figure_list"),
    path("figures.csv", views.FigureList.as_view(export="csv"), name="figure_csv"),
    path("figures.json", views.FigureList.as_view(export="json"), name="figure_json"),
    path("figures/<slug:slug>/", views.FigureDetail.as_view(), name="figure_detail"),
    path("figures/<slug:slug>.csv", views.FigureDetail.as_view(export="csv"), name="figure_detail_csv"),
    path("figures/<slug:slug>.json", views.FigureDetail.as_view(export="json"), name="figure_detail_json"),
    path("claims/", views.ClaimList.as_view(), name="claim_list"),
    path("claims.csv", views.ClaimList.as_view(export="csv"), name="claim_csv"),
    path("claims.json", views.ClaimList.as_view(export="json"), name="claim_json"),
    path("articles/", views.ArticleList.as_view(), name="article_list"),
    path("articles.csv", views.ArticleList.as_view(export="csv"), name="article_csv"),
    path("articles.json", views.ArticleList.as_view(export="json"), name="article_json"),
    path("articles/<slug:slug>/", views.ArticleDetail.as_view(), name="article_detail"),
    path("articles/<slug:slug>.csv", views.ArticleDetail.as_view(export="csv"), name="article_detail_csv"),
    path("articles/<slug:slug>.json", views.ArticleDetail.as_view(export="json"), name="article_detail_json"),
    path("operations/", views.OperationList.as_view(), name="operation_list"),
    path("operations.csv", views.OperationList.as_view(export="csv"), name="operation_csv"),
    path("operations.json", views.OperationList.as_view(export="json"), name="operation_json"),
    path("operations/<slug:slug>/", views.OperationDetail.as_view(), name="operation_detail"),
    path("operations/<slug:slug>.csv", views.OperationDetail.as_view(export="csv"), name="operation_detail_csv"),
    path("operations/<slug:slug>.json", views.OperationDetail.as_view(export="json"), name="operation_detail_json"),
    path("outlets/", views.OutletList.as_view(), name="outlet_list"),
    path("outlets/<slug:slug>/", views.OutletDetail.as_view(), name="outlet_detail"),
    path("methodology/", views.Methodology.as_view(), name="methodology"),
    path("feed.atom", feeds.FeedView.as_view(), name="feed"),
    path("figures/<slug:slug>.atom", feeds.FigureFeedView.as_view(), name="figure_feed"),
    path("operations/<slug:slug>.atom", feeds.OperationFeedView.as_view(), name="operation_feed"),
    path("sitemap.xml", sitemaps.SitemapIndex.as_view(), name="sitemap"),
    *sitemaps.section_paths(),
    path("robots.txt", sitemaps.Robots.as_view(), name="robots"),
]
