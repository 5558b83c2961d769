"""Files: the .knobsim session file and the CSV exports. No Qt."""
