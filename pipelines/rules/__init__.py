"""Rule sets kept as data: the 歧视性招聘信息 (discriminatory posting) rules."""
