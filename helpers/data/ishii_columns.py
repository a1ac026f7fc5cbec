"""Expected columns of the Ishii sample tables, by registry key (generated from the verified files).

Checked by :func:`helpers.data.ishii.load_ishii`: a missing, unexpected or duplicated column is an
error. The files are pinned by sha256 in :mod:`helpers.data.registry`; regenerate these lists
(header of each file, without ``experiment``) whenever a hash there changes.

Introduced in chapter ``01_dataset`` (loading and checking the Ishii tables).
"""

from __future__ import annotations

COLUMNS: dict[str, tuple[str, ...]] = {
    "ishii/KOs_Vin.csv": (
        "R_FBA_rev", "R_FBP", "R_G6PDH2r_rev", "R_GAPD_rev", "R_GND", "R_GNK", "R_PFK",
        "R_PGI_rev", "R_PGL", "R_PGMT_rev", "R_PGM_rev", "R_PPS", "R_PYK", "R_RPE_rev",
        "R_RPI_rev", "R_TALA_rev", "R_TKT1_rev", "R_TKT2_rev",
    ),
    "ishii/fluxomics.csv": (
        "R_GLCptspp", "R_PGI", "R_PFK", "R_FBA", "R_TPI", "R_PGK", "R_GAPD", "R_ENO", "R_PGM",
        "R_PYK", "R_PDH", "R_G6PDH2r", "R_PGL", "R_GND", "R_RPE", "R_RPI", "R_TKT1", "R_TALA",
        "R_TKT2", "R_CS", "R_ACONTb", "R_ACONTa", "R_ICDHyr", "R_SUCOAS", "R_AKGDH",
        "R_SUCDi", "R_FUM", "R_MDH", "R_PPC", "R_ME2", "R_ICL", "R_MALS", "R_ACKr", "R_PTAr",
        "R_LDH_D", "R_ACALD", "R_ALCD2x", "R_EX_glc_e_", "R_EX_o2_e_", "R_EX_co2_e_",
        "R_EX_etoh_e_", "R_EX_ac_e_", "R_EX_lac_D_e_", "R_EX_succ_e_", "R_EX_pyr_e_",
        "R_EX_for_e_", "R_Ec_biomass_iAF1260_core_59p81M",
    ),
    "ishii/fluxomics_ecore.csv": (
        "R_GLUt2r_fwd", "R_PGI_fwd", "R_PFK", "R_FBA_fwd", "R_TPI_fwd", "R_PGK_rev",
        "R_GAPD_fwd", "R_ENO_fwd", "R_PGM_rev", "R_PYK", "R_PDH", "R_G6PDH2r_fwd", "R_PGL",
        "R_GND", "R_RPE_fwd", "R_RPI_rev", "R_TKT1_fwd", "R_TALA_fwd", "R_TKT2_fwd", "R_CS",
        "R_ACONTb_fwd", "R_ACONTa_fwd", "R_ICDHyr_fwd", "R_SUCOAS_rev", "R_AKGDH", "R_SUCDi",
        "R_FUM_fwd", "R_MDH_fwd", "R_PPC", "R_ME2", "R_ICL", "R_MALS", "R_ACKr_rev",
        "R_PTAr_fwd", "R_LDH_D_rev", "R_ACALD_rev", "R_ALCD2x_rev", "R_EX_glu__L_e",
        "R_EX_o2_e_rev", "R_EX_co2_e_fwd", "R_EX_etoh_e", "R_EX_ac_e", "R_EX_lac__D_e",
        "R_EX_succ_e", "R_EX_pyr_e", "R_EX_for_e", "R_BIOMASS_Ecoli_core_w_GAM",
    ),
    "ishii/fluxomics_ecore_correct.csv": (
        "R_GLCpts", "R_PGI_fwd", "R_PFK", "R_FBA_fwd", "R_TPI_fwd", "R_PGK_rev", "R_GAPD_fwd",
        "R_ENO_fwd", "R_PGM_rev", "R_PYK", "R_PDH", "R_G6PDH2r_fwd", "R_PGL", "R_GND",
        "R_RPE_fwd", "R_RPI_rev", "R_TKT1_fwd", "R_TALA_fwd", "R_TKT2_fwd", "R_CS",
        "R_ACONTb_fwd", "R_ACONTa_fwd", "R_ICDHyr_fwd", "R_SUCOAS_rev", "R_AKGDH", "R_SUCDi",
        "R_FUM_fwd", "R_MDH_fwd", "R_PPC", "R_ME2", "R_ICL", "R_MALS", "R_ACKr_rev",
        "R_PTAr_fwd", "R_LDH_D_rev", "R_ACALD_rev", "R_ALCD2x_rev", "R_EX_glc__D_e_rev",
        "R_EX_o2_e_rev", "R_EX_co2_e_fwd", "R_EX_etoh_e", "R_EX_ac_e", "R_EX_lac__D_e",
        "R_EX_succ_e", "R_EX_pyr_e", "R_EX_for_e", "R_BIOMASS_Ecoli_core_w_GAM",
    ),
    "ishii/fluxomics_iAF1260_reduced_split.csv": (
        "R_GLCptspp", "R_PGI_fwd", "R_PFK", "R_FBA_fwd", "R_TPI_fwd", "R_PGK_rev",
        "R_GAPD_fwd", "R_ENO_fwd", "R_PGM_rev", "R_PYK", "R_PDH", "R_G6PDH2r_fwd", "R_PGL",
        "R_GND", "R_RPE_fwd", "R_RPI_rev", "R_TKT1_fwd", "R_TALA_fwd", "R_TKT2_fwd", "R_CS",
        "R_ACONTb_fwd", "R_ACONTa_fwd", "R_ICDHyr_fwd", "R_SUCOAS_rev", "R_AKGDH", "R_SUCDi",
        "R_FUM_fwd", "R_MDH_fwd", "R_PPC", "R_ME2", "R_ICL", "R_MALS", "R_ACKr_rev",
        "R_PTAr_fwd", "R_LDH_D_rev", "R_ACALD_rev", "R_ALCD2x_rev", "R_EX_glc__D_e_rev",
        "R_EX_o2_e_rev", "R_EX_co2_e_fwd", "R_EX_etoh_e", "R_EX_ac_e", "R_EX_lac__D_e",
        "R_EX_succ_e", "R_EX_pyr_e", "R_EX_for_e", "R_BIOMASS_Ec_iAF1260_core_59p81M",
    ),
    "ishii/fluxomics_iAF1260_reduced_split_filtered_iNF517.csv": (
        "R_GLCptspp", "R_PGI_fwd", "R_PFK", "R_FBA_fwd", "R_TPI_fwd", "R_PGK_rev",
        "R_GAPD_fwd", "R_ENO_fwd", "R_PGM_rev", "R_PYK", "R_PDH", "R_G6PDH2r_fwd", "R_PGL",
        "R_GND", "R_RPE_fwd", "R_RPI_rev", "R_TKT2_fwd", "R_CS", "R_ACONTb_fwd",
        "R_ICDHyr_fwd", "R_SUCDi", "R_ACKr_rev", "R_PTAr_fwd", "R_LDH_D_rev", "R_ACALD_rev",
        "R_ALCD2x_rev", "R_EX_glc__D_e_rev", "R_EX_o2_e_rev", "R_EX_co2_e_fwd", "R_EX_etoh_e",
        "R_EX_ac_e", "R_EX_lac__D_e", "R_EX_succ_e", "R_EX_pyr_e", "R_EX_for_e",
        "R_BIOMASS_Ec_iAF1260_core_59p81M",
    ),
    "ishii/fluxomics_iAF1260_reduced_split_fit.csv": (
        "R_GLCptspp", "R_PGI_fwd", "R_PFK", "R_FBA_fwd", "R_TPI_fwd", "R_PGK_rev",
        "R_GAPD_fwd", "R_ENO_fwd", "R_PGM_rev", "R_PYK", "R_PDH", "R_G6PDH2r_fwd", "R_PGL",
        "R_GND", "R_RPE_fwd", "R_RPI_rev", "R_TKT1_fwd", "R_TALA_fwd", "R_TKT2_fwd", "R_CS",
        "R_ACONTb_fwd", "R_ACONTa_fwd", "R_ICDHyr_fwd", "R_SUCOAS_rev", "R_AKGDH", "R_SUCDi",
        "R_FUM_fwd", "R_MDH_fwd", "R_PPC", "R_ME2", "R_ICL", "R_MALS", "R_ACKr_rev",
        "R_PTAr_fwd", "R_LDH_D_rev", "R_ACALD_rev", "R_ALCD2x_rev", "R_EX_glc__D_e_rev",
        "R_EX_o2_e_rev", "R_EX_co2_e_fwd", "R_EX_etoh_e", "R_EX_ac_e", "R_EX_lac__D_e",
        "R_EX_succ_e", "R_EX_pyr_e", "R_EX_for_e", "R_BIOMASS_Ec_iAF1260_core_59p81M",
    ),
    "ishii/fluxomics_iNF517_reduced_split.csv": (
        "R_GLCpts", "R_PGI_fwd", "R_PFK", "R_FBA_fwd", "R_TPI_fwd", "R_PGK_rev", "R_GAPD_fwd",
        "R_ENO_fwd", "R_PGM_rev", "R_PYK", "R_PDH", "R_G6PDH2r_fwd", "R_PGL", "R_GND",
        "R_RPE_fwd", "R_RPI_rev", "R_TKT2_fwd", "R_CS", "R_ACONT_fwd", "R_ICDHyr_fwd",
        "R_SUCD1_fwd", "R_ACKr_rev", "R_PTAr_fwd", "R_LDH_L_rev", "R_ACALD_rev",
        "R_ALCD2x_rev", "R_EX_glc__D_e_rev", "R_EX_o2_e_rev", "R_EX_co2_e_fwd", "R_EX_etoh_e",
        "R_EX_ac_e", "R_EX_lac__L_e", "R_EX_succ_e", "R_EX_pyr_e", "R_EX_for_e",
        "R_BIOMASS_LLA",
    ),
    "ishii/proteomics.csv": (
        "t_b0756", "t_b0688", "t_b4025", "t_b3916", "t_b1723", "t_b4232", "t_b2925",
        "t_b3919", "t_b1779", "t_b2926", "t_b0755", "t_b2779", "t_b1854", "t_b1676",
        "t_b1702", "t_b1852", "t_b0767", "t_b2029", "t_b3386", "t_b2914", "t_b2935",
        "t_b2465", "t_b2464", "t_b0008", "t_b1850", "t_b0114", "t_b0115", "t_b0116",
        "t_b3403", "t_b3956", "t_b0720", "t_b1276", "t_b0118", "t_b1136", "t_b0726",
        "t_b0727", "t_b0728", "t_b0729", "t_b0723", "t_b0724", "t_b4154", "t_b1612",
        "t_b4122", "t_b1611", "t_b3236", "t_b4015", "t_b4014", "t_b2976", "t_b4069",
        "t_b0333", "t_b1380", "t_b3605", "t_b0902", "t_b0903", "t_b1241", "t_b2297",
        "t_b2296", "t_b0474", "t_b2415", "t_b2416",
    ),
    "ishii/transcriptomics.csv": (
        "p_b0008", "p_b0114", "p_b0115", "p_b0116", "p_b0118", "p_b0333", "p_b0474",
        "p_b0688", "p_b0720", "p_b0721", "p_b0722", "p_b0723", "p_b0724", "p_b0726",
        "p_b0727", "p_b0728", "p_b0729", "p_b0755", "p_b0756", "p_b0767", "p_b0871",
        "p_b0902", "p_b0903", "p_b1101", "p_b1136", "p_b1241", "p_b1276", "p_b1380",
        "p_b1602", "p_b1603", "p_b1611", "p_b1612", "p_b1676", "p_b1702", "p_b1723",
        "p_b1779", "p_b1850", "p_b1851", "p_b1852", "p_b1854", "p_b2029", "p_b2097",
        "p_b2133", "p_b2296", "p_b2297", "p_b2388", "p_b2415", "p_b2416", "p_b2417",
        "p_b2463", "p_b2464", "p_b2465", "p_b2779", "p_b2914", "p_b2925", "p_b2926",
        "p_b2935", "p_b2976", "p_b3236", "p_b3386", "p_b3403", "p_b3605", "p_b3612",
        "p_b3916", "p_b3919", "p_b3951", "p_b3952", "p_b3956", "p_b4014", "p_b4015",
        "p_b4025", "p_b4069", "p_b4090", "p_b4122", "p_b4151", "p_b4152", "p_b4153",
        "p_b4154", "p_b4232",
    ),
}
