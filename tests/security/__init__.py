"""Tests that attack the app: access with other people's ids, CSRF, XSS, headers, bad input, lost writes."""
