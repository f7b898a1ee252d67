"""Meterline orchestration: sample data, reports and pipeline definitions."""
