"""Where consumers can turn besides AgentMatch: HealthCare.gov and its Marketplace Call
Center. The one place for the numbers every page, text and email gives."""

MARKETPLACE_SITE = "HealthCare.gov"
CALL_CENTER_PHONE = "1-800-318-2596"
CALL_CENTER_PHONE_E164 = "+18003182596"
CALL_CENTER_TTY = "1-855-889-4325"
