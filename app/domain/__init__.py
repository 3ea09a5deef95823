"""Pure rules and texts: policies, escalation, incidents, postmortems, stories, the kiosk
playlist. Nothing here touches a database, a file or a terminal."""
