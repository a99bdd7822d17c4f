from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.forms.models import BaseModelFormSet
from django.shortcuts import redirect, render
from django.urls import path

from igny8_core.accounts.models import Account

from .models import CreditCostConfig, CreditTransaction, Operation, SiteAIBudgetAllocation
from .services import CreditService


def _budget_sum_error(total: Decimal) -> forms.ValidationError:
    return forms.ValidationError(
        f"The global budget percentages must sum to 100; they would sum to {total.normalize():f}. "
        "Change them together in the list view."
    )


class CreditCostConfigForm(forms.ModelForm):
    """Costs are never negative; a budget share is 0-100 (the five must sum to 100)."""

    def clean_cost(self):
        cost = self.cleaned_data.get("cost")
        if cost is not None and cost < 0:
            raise forms.ValidationError("A cost cannot be negative.")
        return cost

    def clean_budget_percentage(self):
        share = self.cleaned_data.get("budget_percentage")
        if share is not None and not 0 <= share <= 100:
            raise forms.ValidationError("Must be from 0 to 100.")
        return share

    def clean_per_units(self):
        per_units = self.cleaned_data.get("per_units")
        if per_units is not None and per_units < 1:
            raise forms.ValidationError("Must be at least 1 (the price is cost per this many units).")
        return per_units

    def clean_variant_costs(self):
        variants = self.cleaned_data.get("variant_costs")
        if variants in (None, ""):
            return {}
        if not isinstance(variants, dict):
            raise forms.ValidationError('Must be an object like {"1792x1024:hd": "4"}.')
        for name, value in variants.items():
            try:
                cost = Decimal(str(value))
            except InvalidOperation:
                cost = None
            if cost is None or not cost.is_finite() or cost < 0:
                raise forms.ValidationError(f"The cost of variant {name!r} must be a number ≥ 0.")
        return variants


class CreditCostConfigChangeForm(CreditCostConfigForm):
    def clean(self):
        cleaned = super().clean()
        share = cleaned.get("budget_percentage")
        if share is not None:
            others = CreditCostConfig.objects.exclude(pk=self.instance.pk).values_list("budget_percentage", flat=True)
            total = share + sum(others, Decimal("0"))
            if total != 100:
                raise _budget_sum_error(total)
        return cleaned


class BudgetSumFormSet(BaseModelFormSet):
    """The changelist edits all shares at once: their total (with rows not shown) must be 100."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        shown = {form.instance.pk: form.cleaned_data.get("budget_percentage") for form in self.forms}
        if None in shown.values():
            return
        others = CreditCostConfig.objects.exclude(pk__in=shown).values_list("budget_percentage", flat=True)
        total = sum(shown.values(), Decimal("0")) + sum(others, Decimal("0"))
        if total != 100:
            raise _budget_sum_error(total)


@admin.register(CreditCostConfig)
class CreditCostConfigAdmin(admin.ModelAdmin):
    form = CreditCostConfigChangeForm
    list_display = ("operation", "cost", "per_units", "unit", "rounding", "budget_percentage", "is_active")
    list_editable = ("cost", "budget_percentage", "is_active")
    list_filter = ("is_active",)

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=CreditCostConfigForm, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Every AI call prices itself from its row; make an operation free with is_active instead.
        return False

    def get_changelist_formset(self, request, **kwargs):
        return super().get_changelist_formset(request, formset=BudgetSumFormSet, **kwargs)


class AddCreditsForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Account.objects.all())
    amount = forms.DecimalField(min_value=0.01, decimal_places=2)
    description = forms.CharField(max_length=200, required=False)


@admin.register(CreditTransaction)
class CreditTransactionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "account", "transaction_type", "operation", "amount", "balance_after", "site")
    list_filter = ("transaction_type", "operation", "site")
    search_fields = ("description", "idempotency_key")
    change_list_template = "admin/billing/credittransaction/change_list.html"

    # The ledger is append-only: rows are written by CreditService, never edited by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("add-credits/", self.admin_site.admin_view(self.add_credits), name="billing_add_credits")
        ] + super().get_urls()

    def add_credits(self, request):
        form = AddCreditsForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            CreditService.add(data["account"], data["amount"], description=data["description"] or "Admin grant")
            messages.success(request, f"Added {data['amount']} credits to {data['account']}.")
            return redirect("admin:billing_credittransaction_changelist")
        return render(
            request,
            "admin/billing/add_credits.html",
            {**self.admin_site.each_context(request), "form": form, "title": "Add credits"},
        )


class SiteAIBudgetAllocationForm(forms.ModelForm):
    class Meta:
        model = SiteAIBudgetAllocation
        fields = ("site", "use_global_defaults") + tuple(f"{op}_percentage" for op in Operation.values)

    def clean(self):
        cleaned = super().clean()
        shares = [cleaned.get(f"{op}_percentage") for op in Operation.values]
        if None not in shares and sum(shares) != 100:
            raise forms.ValidationError(f"The percentages must sum to 100; they sum to {sum(shares)}.")
        return cleaned


@admin.register(SiteAIBudgetAllocation)
class SiteAIBudgetAllocationAdmin(admin.ModelAdmin):
    form = SiteAIBudgetAllocationForm
    list_display = ("site", "use_global_defaults") + tuple(f"{op}_percentage" for op in Operation.values)
    raw_id_fields = ("site",)
