"""Career levels after the onboarding: where an independent account manager stands, and the head of sales'
promotions, one level at a time, with the evidence they were decided on."""
