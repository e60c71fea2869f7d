"""Periods a claim is counted in: the financial quarter of its as-of date and the
financial year its allocation is set for (April to March, as councils report)."""

from __future__ import annotations

from datetime import date, timedelta

from indicators.plan import Plan, PlanError


def financial_quarter(as_of: date) -> str:
    """The return's period: councils report by financial year quarter (April to March)."""
    start_year = as_of.year if as_of.month >= 4 else as_of.year - 1
    quarter = ((as_of.month - 4) % 12) // 3 + 1
    return f"{start_year}-{(start_year + 1) % 100:02d} Q{quarter}"


def financial_year(as_of: date) -> tuple[str, date]:
    """The financial year's label (`2025-26`) and first day, as allocations are set."""
    start_year = as_of.year if as_of.month >= 4 else as_of.year - 1
    return f"{start_year}-{(start_year + 1) % 100:02d}", date(start_year, 4, 1)


def yearly_allocation(plan: Plan, year: str) -> int | None:
    """The plan's `allocation` for a financial year (`allocation: {2025-26: 120}`), if set."""
    allocation = plan.data.get("allocation")
    if allocation is None:
        return None
    if not isinstance(allocation, dict):
        raise PlanError(f"{plan.source}: allocation must map a year like 2025-26 to a number")
    value = allocation.get(year)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PlanError(f"{plan.source}: allocation.{year} must be a whole number, got {value!r}")
    return value


def quarter_bounds(as_of: date) -> tuple[date, date]:
    """First and last day of the financial quarter holding `as_of` (the claim's period)."""
    first_month = as_of.month - (as_of.month - 4) % 3
    start = date(as_of.year, first_month, 1)
    end_month = first_month + 2
    following = date(as_of.year + end_month // 12, end_month % 12 + 1, 1)
    return start, following - timedelta(days=1)
