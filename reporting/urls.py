from django.urls import path

from reporting import (
    views,
    views_board,
    views_dashboard,
    views_data_pack,
    views_returns,
    views_runs,
    views_scorecard,
    views_sufficiency,
)

app_name = "reporting"

urlpatterns = [
    # The managers' dashboard (reporting.views_dashboard).
    path("", views_dashboard.page, name="dashboard"),
    path("a1/", views.a1_report, name="a1"),
    path("annex-a/list-11/", views.annex_a_list_11_request, name="annex-a-list-11"),
    # The adoption scorecard and its drill-downs (reporting.views_scorecard).
    path("scorecard/", views_scorecard.scorecard_page, name="scorecard"),
    path("scorecard/<slug:measure>/", views_scorecard.scorecard_drilldown, name="scorecard-drilldown"),
    path("scorecard/pdf/request/", views_scorecard.scorecard_pdf, name="scorecard-pdf"),
    # Quarterly returns (reporting.views_returns).
    path("returns/", views_returns.return_list, name="returns"),
    path("returns/<int:return_id>/workbook.xlsx", views_returns.return_xlsx, name="return-xlsx"),
    path("returns/<int:return_id>/children.csv", views_returns.return_children_csv, name="return-children-csv"),
    path("returns/<int:return_id>/families.csv", views_returns.return_families_csv, name="return-families-csv"),
    path("returns/<int:return_id>/summary.pdf", views_returns.return_pdf, name="return-pdf"),
    # Every report run, with its progress and file (reporting.views_runs).
    path("runs/", views_runs.run_list, name="runs"),
    # The RAA executive board's quarterly report (reporting.views_board).
    path("board/", views_board.page, name="board"),
    # The regional data pack (reporting.views_data_pack).
    path("data-pack/", views_data_pack.page, name="data-pack"),
    # The sufficiency forecast (reporting.views_sufficiency).
    path("sufficiency/", views_sufficiency.page, name="sufficiency"),
]
