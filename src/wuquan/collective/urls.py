from django.urls import path

from . import views

urlpatterns = [
    path("", views.book_list, name="books"),
    path("books/<int:pk>/", views.book_detail, name="book"),
    path("books/<int:pk>/trial-balance.xlsx", views.trial_balance_xlsx, name="trial-xlsx"),
    path("books/<int:pk>/reports/<slug:kind>/", views.report, name="report"),
    path("books/<int:pk>/requests/new/", views.request_new, name="request-new"),
    path("books/<int:pk>/do/<slug:action>/", views.period_action, name="book-action"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("vouchers/<int:pk>/print/", views.voucher_print, name="voucher-print"),
    # ---- 惠农补贴“一卡通” and community funds (FIN-15, PUB-8) ----
    path("books/<int:pk>/funds/", views.fund_ledgers, name="funds"),
    path("books/<int:pk>/benefits/", views.benefit_list, name="benefits"),
    path("benefits/<int:pk>/", views.benefit_detail, name="benefit"),
    path("benefits/<int:pk>/template.xlsx", views.benefit_template, name="benefit-template"),
    path("benefits/<int:pk>/notice/", views.benefit_notice, name="benefit-notice"),
    path("benefit-batches/<int:pk>/pay.csv", views.benefit_pay_file, name="benefit-pay-file"),
    # ---- part 2 (issue 15): registers, contracts, transfers
    path("books/<int:pk>/assets/", views.assets, name="assets"),
    path("books/<int:pk>/assets.xlsx", views.assets_xlsx, name="assets-xlsx"),
    path("inventories/<int:pk>/", views.inventory, name="inventory"),
    path("assets/<int:pk>/", views.asset_detail, name="asset"),
    path("books/<int:pk>/contracts/", views.contracts, name="contracts"),
    path("books/<int:pk>/contracts/new/", views.contract_new, name="contract-new"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("books/<int:pk>/transfers/new/", views.transfer_new, name="transfer-new"),
]
