"""Pure rules of hidden-hazard governance (隐患排查治理): code tables, the major-hazard criteria, statutory
deadlines, the five-in-place check, days to close. No ORM: plain values in, plain values out."""
