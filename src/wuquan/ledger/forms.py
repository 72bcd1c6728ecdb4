from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ErasureBasis


class EraseForm(forms.Form):
    commitment = forms.IntegerField(widget=forms.HiddenInput)
    basis = forms.ChoiceField(label=_("删除依据"), choices=ErasureBasis.choices)
