"""Running portal accounts after onboarding: suspension, credentials, resets, removal and deletion."""
