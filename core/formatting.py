"""How dates and money read on screen, in GOV.UK style."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def money(value: Decimal | int | None, pence: bool = False) -> str:
    if value is None:
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if pence or amount != amount.to_integral_value():
        return f"{sign}£{amount:,.2f}"
    return f"{sign}£{amount:,.0f}"


def london_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {value:%B %Y}"


def london_datetime(value: datetime | None) -> str:
    """GOV.UK style: '4:30pm on 2 December 2026'; midday and midnight are named."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    if local.hour == 12 and local.minute == 0:
        time_text = "midday"
    elif local.hour == 0 and local.minute == 0:
        time_text = "midnight"
    else:
        hour = local.hour % 12 or 12
        suffix = "am" if local.hour < 12 else "pm"
        time_text = f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"
    return f"{time_text} on {london_date(local)}"
