"""Demo patients for trying the app at scale: who they are, and where each stands on the portal."""
