from django.contrib import admin

from cfit.impact.models import EstimatorFit, FootprintDataset, GridIntensity, ProductFootprint


@admin.register(GridIntensity)
class GridIntensityAdmin(admin.ModelAdmin):
    list_display = ["country", "name", "year", "value", "low", "high", "source", "updated"]
    list_editable = ["value", "low", "high"]
    list_filter = ["year", "source"]
    search_fields = ["country", "name"]


@admin.register(FootprintDataset)
class FootprintDatasetAdmin(admin.ModelAdmin):
    list_display = ["title", "filename", "rows", "licence", "imported", "imported_by"]
    readonly_fields = ["rows", "report", "imported", "imported_by"]


@admin.register(ProductFootprint)
class ProductFootprintAdmin(admin.ModelAdmin):
    list_display = ["manufacturer", "model", "product_group", "embodied", "error_ratio", "yearly_kwh"]
    list_filter = ["product_group", "manufacturer"]
    search_fields = ["manufacturer", "model"]


@admin.register(EstimatorFit)
class EstimatorFitAdmin(admin.ModelAdmin):
    list_display = ["dataset", "created"]
    readonly_fields = ["dataset", "models_json", "validation", "created"]
