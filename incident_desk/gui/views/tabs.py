"""The tabs of the incident page, in the order a person works through an incident."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .page_base import IncidentTab

if TYPE_CHECKING:
    from .incident_page import IncidentPage


def make_tabs(page: IncidentPage) -> list[IncidentTab]:
    from .tab_comms import CommunicationsTab
    from .tab_compliance import AuditTab, RegulatoryTab
    from .tab_overview import OverviewTab
    from .tab_record import ImpactTab, InvestigationTab, PostMortemTab
    from .tab_roles import RolesTab
    from .tab_timeline import TimelineTab
    from .tab_work import ActionItemsTab, RemediationTab

    return [OverviewTab(page), TimelineTab(page), RolesTab(page), CommunicationsTab(page),
            InvestigationTab(page), ImpactTab(page), RemediationTab(page), PostMortemTab(page),
            ActionItemsTab(page), RegulatoryTab(page), AuditTab(page)]
