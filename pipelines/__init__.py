"""Warm Heart campaign warehouse (就业援助"暖心活动", Shandong)."""
