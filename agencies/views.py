from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import access, selectors


@login_required
def agency_list(request):
    return render(request, "agencies/agency_list.html", {"agencies": selectors.agency_list(user=request.user)})


@login_required
def agency_detail(request, code):
    agency = access.get_agency_or_404(request.user, code)
    return render(
        request,
        "agencies/agency_detail.html",
        {
            "agency": agency,
            "units": selectors.agency_units(agency=agency),
            "people": selectors.agency_people(agency=agency),
            "can_submit": access.can_submit(request.user, agency),
            "can_review": access.can_review(request.user, agency),
        },
    )
