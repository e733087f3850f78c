const char mmkit_sim_version[] = "0.1.0";
