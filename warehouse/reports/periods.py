"""What "today" and "each hour" mean in the warehouse's own time zone (`WAREHOUSE_TIMEZONE`).

A warehouse in China works Beijing time while the database keeps UTC: the day starts at
16:00 UTC. Periods are half-open UTC ranges computed with zoneinfo, so a zone with daylight
saving gets its 23- or 25-hour days right.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HOUR = dt.timedelta(hours=1)


def warehouse_zone(name: str) -> ZoneInfo:
    """The zone named by the setting; a wrong name stops the service with a clear message."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"WAREHOUSE_TIMEZONE={name!r} is not an IANA time zone (such as Asia/Shanghai)"
        ) from None


@dataclass(frozen=True)
class Day:
    """One local calendar day: `[start, end)` in UTC."""

    date: dt.date
    zone: ZoneInfo
    start: dt.datetime
    end: dt.datetime

    @classmethod
    def of(cls, date: dt.date, zone: ZoneInfo) -> Day:
        start = dt.datetime.combine(date, dt.time(), zone).astimezone(dt.UTC)
        end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
        return cls(date, zone, start, end)

    @classmethod
    def containing(cls, moment: dt.datetime, zone: ZoneInfo) -> Day:
        return cls.of(moment.astimezone(zone).date(), zone)

    @property
    def hours(self) -> int:
        """Elapsed hours in the day (24, or 23/25 on a daylight-saving change)."""
        return int((self.end - self.start) / HOUR)

    def hour_labels(self) -> list[str]:
        """The local clock time at the start of each elapsed hour, "08:00" style."""
        return [
            (self.start + n * HOUR).astimezone(self.zone).strftime("%H:%M")
            for n in range(self.hours)
        ]

    def hour_range(self, hour: int) -> tuple[dt.datetime, dt.datetime]:
        """The UTC range of the day's `hour`-th elapsed hour (0-based)."""
        if not 0 <= hour < self.hours:
            raise ValueError(f"hour must be 0–{self.hours - 1}")
        start = self.start + hour * HOUR
        return start, start + HOUR

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.zone)
