-- The employment programme's policy parameters (the quota, the levy's reductions and
-- exemption, the wages, the reward) are seeded into the kernel's policy_params by this
-- migration's seed; the programme's own tables come with its records.
SELECT 1;
