"""Deliberately vulnerable endpoints: the controls each scanner must catch in `make security`.

Mounted only by config/settings_scan.py (through planted.urls); never reachable otherwise.
"""
