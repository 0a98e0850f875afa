"""Helpers of the administration page: its forms, the list of people, form values."""
