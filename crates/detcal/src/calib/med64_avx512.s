vmovdqu32 zmm0, [rdi + 0]
vmovdqu32 zmm1, [rdi + 64]
vpminsd zmm2, zmm0, zmm1
vpmaxsd zmm1, zmm0, zmm1
vmovdqu32 zmm0, [rdi + 128]
vmovdqu32 zmm3, [rdi + 192]
vpminsd zmm4, zmm0, zmm3
vpmaxsd zmm3, zmm0, zmm3
vpminsd zmm0, zmm2, zmm4
vpmaxsd zmm4, zmm2, zmm4
vpminsd zmm2, zmm1, zmm3
vpmaxsd zmm3, zmm1, zmm3
vpminsd zmm1, zmm2, zmm4
vpmaxsd zmm4, zmm2, zmm4
vmovdqu32 zmm2, [rdi + 256]
vmovdqu32 zmm5, [rdi + 320]
vpminsd zmm6, zmm2, zmm5
vpmaxsd zmm5, zmm2, zmm5
vmovdqu32 zmm2, [rdi + 384]
vmovdqu32 zmm7, [rdi + 448]
vpminsd zmm8, zmm2, zmm7
vpmaxsd zmm7, zmm2, zmm7
vpminsd zmm2, zmm6, zmm8
vpmaxsd zmm8, zmm6, zmm8
vpminsd zmm6, zmm5, zmm7
vpmaxsd zmm7, zmm5, zmm7
vpminsd zmm5, zmm6, zmm8
vpmaxsd zmm8, zmm6, zmm8
vpminsd zmm6, zmm0, zmm2
vpmaxsd zmm2, zmm0, zmm2
vpminsd zmm0, zmm1, zmm5
vpmaxsd zmm5, zmm1, zmm5
vpminsd zmm1, zmm4, zmm8
vpmaxsd zmm8, zmm4, zmm8
vpminsd zmm4, zmm3, zmm7
vpmaxsd zmm7, zmm3, zmm7
vpminsd zmm3, zmm1, zmm2
vpmaxsd zmm2, zmm1, zmm2
vpminsd zmm1, zmm4, zmm5
vpmaxsd zmm5, zmm4, zmm5
vpminsd zmm4, zmm0, zmm3
vpmaxsd zmm3, zmm0, zmm3
vpminsd zmm0, zmm1, zmm2
vpmaxsd zmm2, zmm1, zmm2
vpminsd zmm1, zmm5, zmm8
vpmaxsd zmm8, zmm5, zmm8
vmovdqu32 zmm5, [rdi + 512]
vmovdqu32 zmm9, [rdi + 576]
vpminsd zmm10, zmm5, zmm9
vpmaxsd zmm9, zmm5, zmm9
vmovdqu32 zmm5, [rdi + 640]
vmovdqu32 zmm11, [rdi + 704]
vpminsd zmm12, zmm5, zmm11
vpmaxsd zmm11, zmm5, zmm11
vpminsd zmm5, zmm10, zmm12
vpmaxsd zmm12, zmm10, zmm12
vpminsd zmm10, zmm9, zmm11
vpmaxsd zmm11, zmm9, zmm11
vpminsd zmm9, zmm10, zmm12
vpmaxsd zmm12, zmm10, zmm12
vmovdqu32 zmm10, [rdi + 768]
vmovdqu32 zmm13, [rdi + 832]
vpminsd zmm14, zmm10, zmm13
vpmaxsd zmm13, zmm10, zmm13
vmovdqu32 zmm10, [rdi + 896]
vmovdqu32 zmm15, [rdi + 960]
vpminsd zmm16, zmm10, zmm15
vpmaxsd zmm15, zmm10, zmm15
vpminsd zmm10, zmm14, zmm16
vpmaxsd zmm16, zmm14, zmm16
vpminsd zmm14, zmm13, zmm15
vpmaxsd zmm15, zmm13, zmm15
vpminsd zmm13, zmm14, zmm16
vpmaxsd zmm16, zmm14, zmm16
vpminsd zmm14, zmm5, zmm10
vpmaxsd zmm10, zmm5, zmm10
vpminsd zmm5, zmm9, zmm13
vpmaxsd zmm13, zmm9, zmm13
vpminsd zmm9, zmm12, zmm16
vpmaxsd zmm16, zmm12, zmm16
vpminsd zmm12, zmm11, zmm15
vpmaxsd zmm15, zmm11, zmm15
vpminsd zmm11, zmm9, zmm10
vpmaxsd zmm10, zmm9, zmm10
vpminsd zmm9, zmm12, zmm13
vpmaxsd zmm13, zmm12, zmm13
vpminsd zmm12, zmm5, zmm11
vpmaxsd zmm11, zmm5, zmm11
vpminsd zmm5, zmm9, zmm10
vpmaxsd zmm10, zmm9, zmm10
vpminsd zmm9, zmm13, zmm16
vpmaxsd zmm16, zmm13, zmm16
vpminsd zmm13, zmm6, zmm14
vpmaxsd zmm14, zmm6, zmm14
vpminsd zmm6, zmm4, zmm12
vpmaxsd zmm12, zmm4, zmm12
vpminsd zmm4, zmm3, zmm11
vpmaxsd zmm11, zmm3, zmm11
vpminsd zmm3, zmm0, zmm5
vpmaxsd zmm5, zmm0, zmm5
vpminsd zmm0, zmm2, zmm10
vpmaxsd zmm10, zmm2, zmm10
vpminsd zmm2, zmm1, zmm9
vpmaxsd zmm9, zmm1, zmm9
vpminsd zmm1, zmm8, zmm16
vpmaxsd zmm16, zmm8, zmm16
vpminsd zmm8, zmm7, zmm15
vpmaxsd zmm15, zmm7, zmm15
vpminsd zmm7, zmm0, zmm14
vpmaxsd zmm14, zmm0, zmm14
vpminsd zmm0, zmm2, zmm12
vpmaxsd zmm12, zmm2, zmm12
vpminsd zmm2, zmm1, zmm11
vpmaxsd zmm11, zmm1, zmm11
vpminsd zmm1, zmm8, zmm5
vpmaxsd zmm5, zmm8, zmm5
vpminsd zmm8, zmm4, zmm7
vpmaxsd zmm7, zmm4, zmm7
vpminsd zmm4, zmm3, zmm0
vpmaxsd zmm0, zmm3, zmm0
vpminsd zmm3, zmm2, zmm14
vpmaxsd zmm14, zmm2, zmm14
vpminsd zmm2, zmm1, zmm12
vpmaxsd zmm12, zmm1, zmm12
vpminsd zmm1, zmm11, zmm10
vpmaxsd zmm10, zmm11, zmm10
vpminsd zmm11, zmm5, zmm9
vpmaxsd zmm9, zmm5, zmm9
vpminsd zmm5, zmm6, zmm8
vpmaxsd zmm8, zmm6, zmm8
vpminsd zmm6, zmm4, zmm7
vpmaxsd zmm7, zmm4, zmm7
vpminsd zmm4, zmm0, zmm3
vpmaxsd zmm3, zmm0, zmm3
vpminsd zmm0, zmm2, zmm14
vpmaxsd zmm14, zmm2, zmm14
vpminsd zmm2, zmm12, zmm1
vpmaxsd zmm1, zmm12, zmm1
vpminsd zmm12, zmm11, zmm10
vpmaxsd zmm10, zmm11, zmm10
vpminsd zmm11, zmm9, zmm16
vpmaxsd zmm16, zmm9, zmm16
vmovdqu32 zmm9, [rdi + 1024]
vmovdqu32 zmm17, [rdi + 1088]
vpminsd zmm18, zmm9, zmm17
vpmaxsd zmm17, zmm9, zmm17
vmovdqu32 zmm9, [rdi + 1152]
vmovdqu32 zmm19, [rdi + 1216]
vpminsd zmm20, zmm9, zmm19
vpmaxsd zmm19, zmm9, zmm19
vpminsd zmm9, zmm18, zmm20
vpmaxsd zmm20, zmm18, zmm20
vpminsd zmm18, zmm17, zmm19
vpmaxsd zmm19, zmm17, zmm19
vpminsd zmm17, zmm18, zmm20
vpmaxsd zmm20, zmm18, zmm20
vmovdqu32 zmm18, [rdi + 1280]
vmovdqu32 zmm21, [rdi + 1344]
vpminsd zmm22, zmm18, zmm21
vpmaxsd zmm21, zmm18, zmm21
vmovdqu32 zmm18, [rdi + 1408]
vmovdqu32 zmm23, [rdi + 1472]
vpminsd zmm24, zmm18, zmm23
vpmaxsd zmm23, zmm18, zmm23
vpminsd zmm18, zmm22, zmm24
vpmaxsd zmm24, zmm22, zmm24
vpminsd zmm22, zmm21, zmm23
vpmaxsd zmm23, zmm21, zmm23
vpminsd zmm21, zmm22, zmm24
vpmaxsd zmm24, zmm22, zmm24
vpminsd zmm22, zmm9, zmm18
vpmaxsd zmm18, zmm9, zmm18
vpminsd zmm9, zmm17, zmm21
vpmaxsd zmm21, zmm17, zmm21
vpminsd zmm17, zmm20, zmm24
vpmaxsd zmm24, zmm20, zmm24
vpminsd zmm20, zmm19, zmm23
vpmaxsd zmm23, zmm19, zmm23
vpminsd zmm19, zmm17, zmm18
vpmaxsd zmm18, zmm17, zmm18
vpminsd zmm17, zmm20, zmm21
vpmaxsd zmm21, zmm20, zmm21
vpminsd zmm20, zmm9, zmm19
vpmaxsd zmm19, zmm9, zmm19
vpminsd zmm9, zmm17, zmm18
vpmaxsd zmm18, zmm17, zmm18
vpminsd zmm17, zmm21, zmm24
vpmaxsd zmm24, zmm21, zmm24
vmovdqu32 zmm21, [rdi + 1536]
vmovdqu32 zmm25, [rdi + 1600]
vpminsd zmm26, zmm21, zmm25
vpmaxsd zmm25, zmm21, zmm25
vmovdqu32 zmm21, [rdi + 1664]
vmovdqu32 zmm27, [rdi + 1728]
vpminsd zmm28, zmm21, zmm27
vpmaxsd zmm27, zmm21, zmm27
vpminsd zmm21, zmm26, zmm28
vpmaxsd zmm28, zmm26, zmm28
vpminsd zmm26, zmm25, zmm27
vpmaxsd zmm27, zmm25, zmm27
vpminsd zmm25, zmm26, zmm28
vpmaxsd zmm28, zmm26, zmm28
vmovdqu32 zmm26, [rdi + 1792]
vmovdqu32 zmm29, [rdi + 1856]
vpminsd zmm30, zmm26, zmm29
vpmaxsd zmm29, zmm26, zmm29
vmovdqu32 zmm26, [rdi + 1920]
vmovdqu32 zmm31, [rdi + 1984]
vmovdqu32 [rdi + 0], zmm13
vpminsd zmm13, zmm26, zmm31
vpmaxsd zmm31, zmm26, zmm31
vpminsd zmm26, zmm30, zmm13
vpmaxsd zmm13, zmm30, zmm13
vpminsd zmm30, zmm29, zmm31
vpmaxsd zmm31, zmm29, zmm31
vpminsd zmm29, zmm30, zmm13
vpmaxsd zmm13, zmm30, zmm13
vpminsd zmm30, zmm21, zmm26
vpmaxsd zmm26, zmm21, zmm26
vpminsd zmm21, zmm25, zmm29
vpmaxsd zmm29, zmm25, zmm29
vpminsd zmm25, zmm28, zmm13
vpmaxsd zmm13, zmm28, zmm13
vpminsd zmm28, zmm27, zmm31
vpmaxsd zmm31, zmm27, zmm31
vpminsd zmm27, zmm25, zmm26
vpmaxsd zmm26, zmm25, zmm26
vpminsd zmm25, zmm28, zmm29
vpmaxsd zmm29, zmm28, zmm29
vpminsd zmm28, zmm21, zmm27
vpmaxsd zmm27, zmm21, zmm27
vpminsd zmm21, zmm25, zmm26
vpmaxsd zmm26, zmm25, zmm26
vpminsd zmm25, zmm29, zmm13
vpmaxsd zmm13, zmm29, zmm13
vpminsd zmm29, zmm22, zmm30
vpmaxsd zmm30, zmm22, zmm30
vpminsd zmm22, zmm20, zmm28
vpmaxsd zmm28, zmm20, zmm28
vpminsd zmm20, zmm19, zmm27
vpmaxsd zmm27, zmm19, zmm27
vpminsd zmm19, zmm9, zmm21
vpmaxsd zmm21, zmm9, zmm21
vpminsd zmm9, zmm18, zmm26
vpmaxsd zmm26, zmm18, zmm26
vpminsd zmm18, zmm17, zmm25
vpmaxsd zmm25, zmm17, zmm25
vpminsd zmm17, zmm24, zmm13
vpmaxsd zmm13, zmm24, zmm13
vpminsd zmm24, zmm23, zmm31
vpmaxsd zmm31, zmm23, zmm31
vpminsd zmm23, zmm9, zmm30
vpmaxsd zmm30, zmm9, zmm30
vpminsd zmm9, zmm18, zmm28
vpmaxsd zmm28, zmm18, zmm28
vpminsd zmm18, zmm17, zmm27
vpmaxsd zmm27, zmm17, zmm27
vpminsd zmm17, zmm24, zmm21
vpmaxsd zmm21, zmm24, zmm21
vpminsd zmm24, zmm20, zmm23
vpmaxsd zmm23, zmm20, zmm23
vpminsd zmm20, zmm19, zmm9
vpmaxsd zmm9, zmm19, zmm9
vpminsd zmm19, zmm18, zmm30
vpmaxsd zmm30, zmm18, zmm30
vpminsd zmm18, zmm17, zmm28
vpmaxsd zmm28, zmm17, zmm28
vpminsd zmm17, zmm27, zmm26
vpmaxsd zmm26, zmm27, zmm26
vpminsd zmm27, zmm21, zmm25
vpmaxsd zmm25, zmm21, zmm25
vpminsd zmm21, zmm22, zmm24
vpmaxsd zmm24, zmm22, zmm24
vpminsd zmm22, zmm20, zmm23
vpmaxsd zmm23, zmm20, zmm23
vpminsd zmm20, zmm9, zmm19
vpmaxsd zmm19, zmm9, zmm19
vpminsd zmm9, zmm18, zmm30
vpmaxsd zmm30, zmm18, zmm30
vpminsd zmm18, zmm28, zmm17
vpmaxsd zmm17, zmm28, zmm17
vpminsd zmm28, zmm27, zmm26
vpmaxsd zmm26, zmm27, zmm26
vpminsd zmm27, zmm25, zmm13
vpmaxsd zmm13, zmm25, zmm13
vpminsd zmm25, zmm5, zmm21
vpmaxsd zmm21, zmm5, zmm21
vpminsd zmm5, zmm8, zmm24
vpmaxsd zmm24, zmm8, zmm24
vpminsd zmm8, zmm6, zmm22
vpmaxsd zmm22, zmm6, zmm22
vpminsd zmm6, zmm7, zmm23
vpmaxsd zmm23, zmm7, zmm23
vpminsd zmm7, zmm4, zmm20
vpmaxsd zmm20, zmm4, zmm20
vpminsd zmm4, zmm3, zmm19
vpmaxsd zmm19, zmm3, zmm19
vpminsd zmm3, zmm0, zmm9
vpmaxsd zmm9, zmm0, zmm9
vpminsd zmm0, zmm14, zmm30
vpmaxsd zmm30, zmm14, zmm30
vpminsd zmm14, zmm2, zmm18
vpmaxsd zmm18, zmm2, zmm18
vpminsd zmm2, zmm1, zmm17
vpmaxsd zmm17, zmm1, zmm17
vpminsd zmm1, zmm12, zmm28
vpmaxsd zmm28, zmm12, zmm28
vpminsd zmm12, zmm10, zmm26
vpmaxsd zmm26, zmm10, zmm26
vpminsd zmm10, zmm11, zmm27
vpmaxsd zmm27, zmm11, zmm27
vpminsd zmm11, zmm16, zmm13
vpmaxsd zmm13, zmm16, zmm13
vpminsd zmm16, zmm15, zmm31
vpmaxsd zmm31, zmm15, zmm31
vpminsd zmm15, zmm14, zmm21
vpmaxsd zmm21, zmm14, zmm21
vpminsd zmm14, zmm2, zmm24
vpmaxsd zmm24, zmm2, zmm24
vpminsd zmm2, zmm1, zmm22
vpmaxsd zmm22, zmm1, zmm22
vpminsd zmm1, zmm12, zmm23
vpmaxsd zmm23, zmm12, zmm23
vpminsd zmm12, zmm10, zmm20
vpmaxsd zmm20, zmm10, zmm20
vpminsd zmm10, zmm11, zmm19
vpmaxsd zmm19, zmm11, zmm19
vpminsd zmm11, zmm16, zmm9
vpmaxsd zmm9, zmm16, zmm9
vpminsd zmm16, zmm7, zmm15
vpmaxsd zmm15, zmm7, zmm15
vpminsd zmm7, zmm4, zmm14
vpmaxsd zmm14, zmm4, zmm14
vpminsd zmm4, zmm3, zmm2
vpmaxsd zmm2, zmm3, zmm2
vpminsd zmm3, zmm12, zmm21
vpmaxsd zmm21, zmm12, zmm21
vpminsd zmm12, zmm10, zmm24
vpmaxsd zmm24, zmm10, zmm24
vpminsd zmm10, zmm11, zmm22
vpmaxsd zmm22, zmm11, zmm22
vpminsd zmm11, zmm23, zmm30
vpmaxsd zmm30, zmm23, zmm30
vpminsd zmm23, zmm20, zmm18
vpmaxsd zmm18, zmm20, zmm18
vpminsd zmm20, zmm19, zmm17
vpmaxsd zmm17, zmm19, zmm17
vpminsd zmm19, zmm9, zmm28
vpmaxsd zmm28, zmm9, zmm28
vpminsd zmm9, zmm8, zmm16
vpmaxsd zmm16, zmm8, zmm16
vpminsd zmm8, zmm4, zmm15
vpmaxsd zmm15, zmm4, zmm15
vpminsd zmm4, zmm2, zmm3
vpmaxsd zmm3, zmm2, zmm3
vpminsd zmm2, zmm10, zmm21
vpmaxsd zmm21, zmm10, zmm21
vpminsd zmm10, zmm24, zmm11
vpmaxsd zmm11, zmm24, zmm11
vpminsd zmm24, zmm22, zmm23
vpmaxsd zmm23, zmm22, zmm23
vpminsd zmm22, zmm20, zmm30
vpmaxsd zmm30, zmm20, zmm30
vpminsd zmm20, zmm19, zmm18
vpmaxsd zmm18, zmm19, zmm18
vpminsd zmm19, zmm17, zmm26
vpmaxsd zmm26, zmm17, zmm26
vpminsd zmm17, zmm28, zmm27
vpmaxsd zmm27, zmm28, zmm27
vpminsd zmm28, zmm21, zmm10
vpmaxsd zmm10, zmm21, zmm10
vpminsd zmm21, zmm24, zmm11
vpmaxsd zmm11, zmm24, zmm11
vpminsd zmm24, zmm23, zmm22
vpmaxsd zmm22, zmm23, zmm22
vpminsd zmm23, zmm20, zmm30
vpmaxsd zmm30, zmm20, zmm30
vpminsd zmm20, zmm18, zmm19
vpmaxsd zmm19, zmm18, zmm19
vpminsd zmm18, zmm17, zmm26
vpmaxsd zmm26, zmm17, zmm26
vpminsd zmm17, zmm27, zmm13
vpmaxsd zmm13, zmm27, zmm13
vmovdqu32 zmm27, [rdi + 0]
vmovdqu32 [rdi + 64], zmm25
vpminsd zmm25, zmm27, zmm29
vpmaxsd zmm29, zmm27, zmm29
vpminsd zmm27, zmm0, zmm29
vpmaxsd zmm29, zmm0, zmm29
vpminsd zmm0, zmm6, zmm27
vpmaxsd zmm27, zmm6, zmm27
vpminsd zmm6, zmm1, zmm29
vpmaxsd zmm29, zmm1, zmm29
vpminsd zmm1, zmm5, zmm0
vpmaxsd zmm0, zmm5, zmm0
vpminsd zmm5, zmm7, zmm27
vpmaxsd zmm27, zmm7, zmm27
vpminsd zmm7, zmm14, zmm6
vpmaxsd zmm6, zmm14, zmm6
vpminsd zmm14, zmm12, zmm29
vpmaxsd zmm29, zmm12, zmm29
vpminsd zmm12, zmm9, zmm0
vpmaxsd zmm0, zmm9, zmm0
vpminsd zmm9, zmm16, zmm5
vpmaxsd zmm5, zmm16, zmm5
vpminsd zmm16, zmm8, zmm27
vpmaxsd zmm27, zmm8, zmm27
vpminsd zmm8, zmm15, zmm7
vpmaxsd zmm7, zmm15, zmm7
vpminsd zmm15, zmm4, zmm6
vpmaxsd zmm6, zmm4, zmm6
vpminsd zmm4, zmm3, zmm14
vpmaxsd zmm14, zmm3, zmm14
vpminsd zmm3, zmm2, zmm29
vpmaxsd zmm29, zmm2, zmm29
vmovdqu32 zmm2, [rdi + 64]
vmovdqu32 [rdi + 1984], zmm31
vpminsd zmm31, zmm2, zmm1
vpmaxsd zmm1, zmm2, zmm1
vmovdqu32 zmm2, [rdi + 2048]
vmovdqu32 [rdi + 1088], zmm28
vmovdqu32 zmm28, [rdi + 2112]
vmovdqu32 [rdi + 1152], zmm10
vpminsd zmm10, zmm2, zmm28
vpmaxsd zmm28, zmm2, zmm28
vmovdqu32 zmm2, [rdi + 2176]
vmovdqu32 [rdi + 1216], zmm21
vmovdqu32 zmm21, [rdi + 2240]
vmovdqu32 [rdi + 1280], zmm11
vpminsd zmm11, zmm2, zmm21
vpmaxsd zmm21, zmm2, zmm21
vpminsd zmm2, zmm10, zmm11
vpmaxsd zmm11, zmm10, zmm11
vpminsd zmm10, zmm28, zmm21
vpmaxsd zmm21, zmm28, zmm21
vpminsd zmm28, zmm10, zmm11
vpmaxsd zmm11, zmm10, zmm11
vmovdqu32 zmm10, [rdi + 2304]
vmovdqu32 [rdi + 1344], zmm24
vmovdqu32 zmm24, [rdi + 2368]
vmovdqu32 [rdi + 1408], zmm22
vpminsd zmm22, zmm10, zmm24
vpmaxsd zmm24, zmm10, zmm24
vmovdqu32 zmm10, [rdi + 2432]
vmovdqu32 [rdi + 1472], zmm23
vmovdqu32 zmm23, [rdi + 2496]
vmovdqu32 [rdi + 1536], zmm30
vpminsd zmm30, zmm10, zmm23
vpmaxsd zmm23, zmm10, zmm23
vpminsd zmm10, zmm22, zmm30
vpmaxsd zmm30, zmm22, zmm30
vpminsd zmm22, zmm24, zmm23
vpmaxsd zmm23, zmm24, zmm23
vpminsd zmm24, zmm22, zmm30
vpmaxsd zmm30, zmm22, zmm30
vpminsd zmm22, zmm2, zmm10
vpmaxsd zmm10, zmm2, zmm10
vpminsd zmm2, zmm28, zmm24
vpmaxsd zmm24, zmm28, zmm24
vpminsd zmm28, zmm11, zmm30
vpmaxsd zmm30, zmm11, zmm30
vpminsd zmm11, zmm21, zmm23
vpmaxsd zmm23, zmm21, zmm23
vpminsd zmm21, zmm28, zmm10
vpmaxsd zmm10, zmm28, zmm10
vpminsd zmm28, zmm11, zmm24
vpmaxsd zmm24, zmm11, zmm24
vpminsd zmm11, zmm2, zmm21
vpmaxsd zmm21, zmm2, zmm21
vpminsd zmm2, zmm28, zmm10
vpmaxsd zmm10, zmm28, zmm10
vpminsd zmm28, zmm24, zmm30
vpmaxsd zmm30, zmm24, zmm30
vmovdqu32 zmm24, [rdi + 2560]
vmovdqu32 [rdi + 1600], zmm20
vmovdqu32 zmm20, [rdi + 2624]
vmovdqu32 [rdi + 1664], zmm19
vpminsd zmm19, zmm24, zmm20
vpmaxsd zmm20, zmm24, zmm20
vmovdqu32 zmm24, [rdi + 2688]
vmovdqu32 [rdi + 1728], zmm18
vmovdqu32 zmm18, [rdi + 2752]
vmovdqu32 [rdi + 1792], zmm26
vpminsd zmm26, zmm24, zmm18
vpmaxsd zmm18, zmm24, zmm18
vpminsd zmm24, zmm19, zmm26
vpmaxsd zmm26, zmm19, zmm26
vpminsd zmm19, zmm20, zmm18
vpmaxsd zmm18, zmm20, zmm18
vpminsd zmm20, zmm19, zmm26
vpmaxsd zmm26, zmm19, zmm26
vmovdqu32 zmm19, [rdi + 2816]
vmovdqu32 [rdi + 1856], zmm17
vmovdqu32 zmm17, [rdi + 2880]
vmovdqu32 [rdi + 1920], zmm13
vpminsd zmm13, zmm19, zmm17
vpmaxsd zmm17, zmm19, zmm17
vmovdqu32 zmm19, [rdi + 2944]
vmovdqu32 [rdi + 0], zmm25
vmovdqu32 zmm25, [rdi + 3008]
vmovdqu32 [rdi + 192], zmm12
vpminsd zmm12, zmm19, zmm25
vpmaxsd zmm25, zmm19, zmm25
vpminsd zmm19, zmm13, zmm12
vpmaxsd zmm12, zmm13, zmm12
vpminsd zmm13, zmm17, zmm25
vpmaxsd zmm25, zmm17, zmm25
vpminsd zmm17, zmm13, zmm12
vpmaxsd zmm12, zmm13, zmm12
vpminsd zmm13, zmm24, zmm19
vpmaxsd zmm19, zmm24, zmm19
vpminsd zmm24, zmm20, zmm17
vpmaxsd zmm17, zmm20, zmm17
vpminsd zmm20, zmm26, zmm12
vpmaxsd zmm12, zmm26, zmm12
vpminsd zmm26, zmm18, zmm25
vpmaxsd zmm25, zmm18, zmm25
vpminsd zmm18, zmm20, zmm19
vpmaxsd zmm19, zmm20, zmm19
vpminsd zmm20, zmm26, zmm17
vpmaxsd zmm17, zmm26, zmm17
vpminsd zmm26, zmm24, zmm18
vpmaxsd zmm18, zmm24, zmm18
vpminsd zmm24, zmm20, zmm19
vpmaxsd zmm19, zmm20, zmm19
vpminsd zmm20, zmm17, zmm12
vpmaxsd zmm12, zmm17, zmm12
vpminsd zmm17, zmm22, zmm13
vpmaxsd zmm13, zmm22, zmm13
vpminsd zmm22, zmm11, zmm26
vpmaxsd zmm26, zmm11, zmm26
vpminsd zmm11, zmm21, zmm18
vpmaxsd zmm18, zmm21, zmm18
vpminsd zmm21, zmm2, zmm24
vpmaxsd zmm24, zmm2, zmm24
vpminsd zmm2, zmm10, zmm19
vpmaxsd zmm19, zmm10, zmm19
vpminsd zmm10, zmm28, zmm20
vpmaxsd zmm20, zmm28, zmm20
vpminsd zmm28, zmm30, zmm12
vpmaxsd zmm12, zmm30, zmm12
vpminsd zmm30, zmm23, zmm25
vpmaxsd zmm25, zmm23, zmm25
vpminsd zmm23, zmm2, zmm13
vpmaxsd zmm13, zmm2, zmm13
vpminsd zmm2, zmm10, zmm26
vpmaxsd zmm26, zmm10, zmm26
vpminsd zmm10, zmm28, zmm18
vpmaxsd zmm18, zmm28, zmm18
vpminsd zmm28, zmm30, zmm24
vpmaxsd zmm24, zmm30, zmm24
vpminsd zmm30, zmm11, zmm23
vpmaxsd zmm23, zmm11, zmm23
vpminsd zmm11, zmm21, zmm2
vpmaxsd zmm2, zmm21, zmm2
vpminsd zmm21, zmm10, zmm13
vpmaxsd zmm13, zmm10, zmm13
vpminsd zmm10, zmm28, zmm26
vpmaxsd zmm26, zmm28, zmm26
vpminsd zmm28, zmm18, zmm19
vpmaxsd zmm19, zmm18, zmm19
vpminsd zmm18, zmm24, zmm20
vpmaxsd zmm20, zmm24, zmm20
vpminsd zmm24, zmm22, zmm30
vpmaxsd zmm30, zmm22, zmm30
vpminsd zmm22, zmm11, zmm23
vpmaxsd zmm23, zmm11, zmm23
vpminsd zmm11, zmm2, zmm21
vpmaxsd zmm21, zmm2, zmm21
vpminsd zmm2, zmm10, zmm13
vpmaxsd zmm13, zmm10, zmm13
vpminsd zmm10, zmm26, zmm28
vpmaxsd zmm28, zmm26, zmm28
vpminsd zmm26, zmm18, zmm19
vpmaxsd zmm19, zmm18, zmm19
vpminsd zmm18, zmm20, zmm12
vpmaxsd zmm12, zmm20, zmm12
vmovdqu32 zmm20, [rdi + 3072]
vmovdqu32 [rdi + 256], zmm0
vmovdqu32 zmm0, [rdi + 3136]
vmovdqu32 [rdi + 320], zmm9
vpminsd zmm9, zmm20, zmm0
vpmaxsd zmm0, zmm20, zmm0
vmovdqu32 zmm20, [rdi + 3200]
vmovdqu32 [rdi + 384], zmm5
vmovdqu32 zmm5, [rdi + 3264]
vmovdqu32 [rdi + 448], zmm16
vpminsd zmm16, zmm20, zmm5
vpmaxsd zmm5, zmm20, zmm5
vpminsd zmm20, zmm9, zmm16
vpmaxsd zmm16, zmm9, zmm16
vpminsd zmm9, zmm0, zmm5
vpmaxsd zmm5, zmm0, zmm5
vpminsd zmm0, zmm9, zmm16
vpmaxsd zmm16, zmm9, zmm16
vmovdqu32 zmm9, [rdi + 3328]
vmovdqu32 [rdi + 512], zmm27
vmovdqu32 zmm27, [rdi + 3392]
vmovdqu32 [rdi + 576], zmm8
vpminsd zmm8, zmm9, zmm27
vpmaxsd zmm27, zmm9, zmm27
vmovdqu32 zmm9, [rdi + 3456]
vmovdqu32 [rdi + 640], zmm7
vmovdqu32 zmm7, [rdi + 3520]
vmovdqu32 [rdi + 704], zmm15
vpminsd zmm15, zmm9, zmm7
vpmaxsd zmm7, zmm9, zmm7
vpminsd zmm9, zmm8, zmm15
vpmaxsd zmm15, zmm8, zmm15
vpminsd zmm8, zmm27, zmm7
vpmaxsd zmm7, zmm27, zmm7
vpminsd zmm27, zmm8, zmm15
vpmaxsd zmm15, zmm8, zmm15
vpminsd zmm8, zmm20, zmm9
vpmaxsd zmm9, zmm20, zmm9
vpminsd zmm20, zmm0, zmm27
vpmaxsd zmm27, zmm0, zmm27
vpminsd zmm0, zmm16, zmm15
vpmaxsd zmm15, zmm16, zmm15
vpminsd zmm16, zmm5, zmm7
vpmaxsd zmm7, zmm5, zmm7
vpminsd zmm5, zmm0, zmm9
vpmaxsd zmm9, zmm0, zmm9
vpminsd zmm0, zmm16, zmm27
vpmaxsd zmm27, zmm16, zmm27
vpminsd zmm16, zmm20, zmm5
vpmaxsd zmm5, zmm20, zmm5
vpminsd zmm20, zmm0, zmm9
vpmaxsd zmm9, zmm0, zmm9
vpminsd zmm0, zmm27, zmm15
vpmaxsd zmm15, zmm27, zmm15
vmovdqu32 zmm27, [rdi + 3584]
vmovdqu32 [rdi + 768], zmm6
vmovdqu32 zmm6, [rdi + 3648]
vmovdqu32 [rdi + 832], zmm4
vpminsd zmm4, zmm27, zmm6
vpmaxsd zmm6, zmm27, zmm6
vmovdqu32 zmm27, [rdi + 3712]
vmovdqu32 [rdi + 896], zmm14
vmovdqu32 zmm14, [rdi + 3776]
vmovdqu32 [rdi + 960], zmm3
vpminsd zmm3, zmm27, zmm14
vpmaxsd zmm14, zmm27, zmm14
vpminsd zmm27, zmm4, zmm3
vpmaxsd zmm3, zmm4, zmm3
vpminsd zmm4, zmm6, zmm14
vpmaxsd zmm14, zmm6, zmm14
vpminsd zmm6, zmm4, zmm3
vpmaxsd zmm3, zmm4, zmm3
vmovdqu32 zmm4, [rdi + 3840]
vmovdqu32 [rdi + 1024], zmm29
vmovdqu32 zmm29, [rdi + 3904]
vmovdqu32 [rdi + 64], zmm31
vpminsd zmm31, zmm4, zmm29
vpmaxsd zmm29, zmm4, zmm29
vmovdqu32 zmm4, [rdi + 3968]
vmovdqu32 [rdi + 128], zmm1
vmovdqu32 zmm1, [rdi + 4032]
vmovdqu32 [rdi + 2048], zmm17
vpminsd zmm17, zmm4, zmm1
vpmaxsd zmm1, zmm4, zmm1
vpminsd zmm4, zmm31, zmm17
vpmaxsd zmm17, zmm31, zmm17
vpminsd zmm31, zmm29, zmm1
vpmaxsd zmm1, zmm29, zmm1
vpminsd zmm29, zmm31, zmm17
vpmaxsd zmm17, zmm31, zmm17
vpminsd zmm31, zmm27, zmm4
vpmaxsd zmm4, zmm27, zmm4
vpminsd zmm27, zmm6, zmm29
vpmaxsd zmm29, zmm6, zmm29
vpminsd zmm6, zmm3, zmm17
vpmaxsd zmm17, zmm3, zmm17
vpminsd zmm3, zmm14, zmm1
vpmaxsd zmm1, zmm14, zmm1
vpminsd zmm14, zmm6, zmm4
vpmaxsd zmm4, zmm6, zmm4
vpminsd zmm6, zmm3, zmm29
vpmaxsd zmm29, zmm3, zmm29
vpminsd zmm3, zmm27, zmm14
vpmaxsd zmm14, zmm27, zmm14
vpminsd zmm27, zmm6, zmm4
vpmaxsd zmm4, zmm6, zmm4
vpminsd zmm6, zmm29, zmm17
vpmaxsd zmm17, zmm29, zmm17
vpminsd zmm29, zmm8, zmm31
vpmaxsd zmm31, zmm8, zmm31
vpminsd zmm8, zmm16, zmm3
vpmaxsd zmm3, zmm16, zmm3
vpminsd zmm16, zmm5, zmm14
vpmaxsd zmm14, zmm5, zmm14
vpminsd zmm5, zmm20, zmm27
vpmaxsd zmm27, zmm20, zmm27
vpminsd zmm20, zmm9, zmm4
vpmaxsd zmm4, zmm9, zmm4
vpminsd zmm9, zmm0, zmm6
vpmaxsd zmm6, zmm0, zmm6
vpminsd zmm0, zmm15, zmm17
vpmaxsd zmm17, zmm15, zmm17
vpminsd zmm15, zmm7, zmm1
vpmaxsd zmm1, zmm7, zmm1
vpminsd zmm7, zmm20, zmm31
vpmaxsd zmm31, zmm20, zmm31
vpminsd zmm20, zmm9, zmm3
vpmaxsd zmm3, zmm9, zmm3
vpminsd zmm9, zmm0, zmm14
vpmaxsd zmm14, zmm0, zmm14
vpminsd zmm0, zmm15, zmm27
vpmaxsd zmm27, zmm15, zmm27
vpminsd zmm15, zmm16, zmm7
vpmaxsd zmm7, zmm16, zmm7
vpminsd zmm16, zmm5, zmm20
vpmaxsd zmm20, zmm5, zmm20
vpminsd zmm5, zmm9, zmm31
vpmaxsd zmm31, zmm9, zmm31
vpminsd zmm9, zmm0, zmm3
vpmaxsd zmm3, zmm0, zmm3
vpminsd zmm0, zmm14, zmm4
vpmaxsd zmm4, zmm14, zmm4
vpminsd zmm14, zmm27, zmm6
vpmaxsd zmm6, zmm27, zmm6
vpminsd zmm27, zmm8, zmm15
vpmaxsd zmm15, zmm8, zmm15
vpminsd zmm8, zmm16, zmm7
vpmaxsd zmm7, zmm16, zmm7
vpminsd zmm16, zmm20, zmm5
vpmaxsd zmm5, zmm20, zmm5
vpminsd zmm20, zmm9, zmm31
vpmaxsd zmm31, zmm9, zmm31
vpminsd zmm9, zmm3, zmm0
vpmaxsd zmm0, zmm3, zmm0
vpminsd zmm3, zmm14, zmm4
vpmaxsd zmm4, zmm14, zmm4
vpminsd zmm14, zmm6, zmm17
vpmaxsd zmm17, zmm6, zmm17
vpminsd zmm6, zmm24, zmm27
vpmaxsd zmm27, zmm24, zmm27
vpminsd zmm24, zmm30, zmm15
vpmaxsd zmm15, zmm30, zmm15
vpminsd zmm30, zmm22, zmm8
vpmaxsd zmm8, zmm22, zmm8
vpminsd zmm22, zmm23, zmm7
vpmaxsd zmm7, zmm23, zmm7
vpminsd zmm23, zmm11, zmm16
vpmaxsd zmm16, zmm11, zmm16
vpminsd zmm11, zmm21, zmm5
vpmaxsd zmm5, zmm21, zmm5
vpminsd zmm21, zmm2, zmm20
vpmaxsd zmm20, zmm2, zmm20
vpminsd zmm2, zmm13, zmm31
vpmaxsd zmm31, zmm13, zmm31
vpminsd zmm13, zmm10, zmm9
vpmaxsd zmm9, zmm10, zmm9
vpminsd zmm10, zmm28, zmm0
vpmaxsd zmm0, zmm28, zmm0
vpminsd zmm28, zmm26, zmm3
vpmaxsd zmm3, zmm26, zmm3
vpminsd zmm26, zmm19, zmm4
vpmaxsd zmm4, zmm19, zmm4
vpminsd zmm19, zmm18, zmm14
vpmaxsd zmm14, zmm18, zmm14
vpminsd zmm18, zmm12, zmm17
vpmaxsd zmm17, zmm12, zmm17
vpminsd zmm12, zmm25, zmm1
vpmaxsd zmm1, zmm25, zmm1
vpminsd zmm25, zmm13, zmm27
vpmaxsd zmm27, zmm13, zmm27
vpminsd zmm13, zmm10, zmm15
vpmaxsd zmm15, zmm10, zmm15
vpminsd zmm10, zmm28, zmm8
vpmaxsd zmm8, zmm28, zmm8
vpminsd zmm28, zmm26, zmm7
vpmaxsd zmm7, zmm26, zmm7
vpminsd zmm26, zmm19, zmm16
vpmaxsd zmm16, zmm19, zmm16
vpminsd zmm19, zmm18, zmm5
vpmaxsd zmm5, zmm18, zmm5
vpminsd zmm18, zmm12, zmm20
vpmaxsd zmm20, zmm12, zmm20
vpminsd zmm12, zmm23, zmm25
vpmaxsd zmm25, zmm23, zmm25
vpminsd zmm23, zmm11, zmm13
vpmaxsd zmm13, zmm11, zmm13
vpminsd zmm11, zmm21, zmm10
vpmaxsd zmm10, zmm21, zmm10
vpminsd zmm21, zmm26, zmm27
vpmaxsd zmm27, zmm26, zmm27
vpminsd zmm26, zmm19, zmm15
vpmaxsd zmm15, zmm19, zmm15
vpminsd zmm19, zmm18, zmm8
vpmaxsd zmm8, zmm18, zmm8
vpminsd zmm18, zmm7, zmm31
vpmaxsd zmm31, zmm7, zmm31
vpminsd zmm7, zmm16, zmm9
vpmaxsd zmm9, zmm16, zmm9
vpminsd zmm16, zmm5, zmm0
vpmaxsd zmm0, zmm5, zmm0
vpminsd zmm5, zmm20, zmm3
vpmaxsd zmm3, zmm20, zmm3
vpminsd zmm20, zmm30, zmm12
vpmaxsd zmm12, zmm30, zmm12
vpminsd zmm30, zmm11, zmm25
vpmaxsd zmm25, zmm11, zmm25
vpminsd zmm11, zmm10, zmm21
vpmaxsd zmm21, zmm10, zmm21
vpminsd zmm10, zmm19, zmm27
vpmaxsd zmm27, zmm19, zmm27
vpminsd zmm19, zmm15, zmm18
vpmaxsd zmm18, zmm15, zmm18
vpminsd zmm15, zmm8, zmm7
vpmaxsd zmm7, zmm8, zmm7
vpminsd zmm8, zmm16, zmm31
vpmaxsd zmm31, zmm16, zmm31
vpminsd zmm16, zmm5, zmm9
vpmaxsd zmm9, zmm5, zmm9
vpminsd zmm5, zmm0, zmm4
vpmaxsd zmm4, zmm0, zmm4
vpminsd zmm0, zmm3, zmm14
vpmaxsd zmm14, zmm3, zmm14
vpminsd zmm3, zmm27, zmm19
vpmaxsd zmm19, zmm27, zmm19
vpminsd zmm27, zmm15, zmm18
vpmaxsd zmm18, zmm15, zmm18
vpminsd zmm15, zmm7, zmm8
vpmaxsd zmm8, zmm7, zmm8
vpminsd zmm7, zmm16, zmm31
vpmaxsd zmm31, zmm16, zmm31
vpminsd zmm16, zmm9, zmm5
vpmaxsd zmm5, zmm9, zmm5
vpminsd zmm9, zmm0, zmm4
vpmaxsd zmm4, zmm0, zmm4
vpminsd zmm0, zmm14, zmm17
vpmaxsd zmm17, zmm14, zmm17
vmovdqu32 zmm14, [rdi + 2048]
vmovdqu32 [rdi + 2112], zmm6
vpminsd zmm6, zmm14, zmm29
vpmaxsd zmm29, zmm14, zmm29
vpminsd zmm14, zmm2, zmm29
vpmaxsd zmm29, zmm2, zmm29
vpminsd zmm2, zmm22, zmm14
vpmaxsd zmm14, zmm22, zmm14
vpminsd zmm22, zmm28, zmm29
vpmaxsd zmm29, zmm28, zmm29
vpminsd zmm28, zmm24, zmm2
vpmaxsd zmm2, zmm24, zmm2
vpminsd zmm24, zmm23, zmm14
vpmaxsd zmm14, zmm23, zmm14
vpminsd zmm23, zmm13, zmm22
vpmaxsd zmm22, zmm13, zmm22
vpminsd zmm13, zmm26, zmm29
vpmaxsd zmm29, zmm26, zmm29
vpminsd zmm26, zmm20, zmm2
vpmaxsd zmm2, zmm20, zmm2
vpminsd zmm20, zmm12, zmm24
vpmaxsd zmm24, zmm12, zmm24
vpminsd zmm12, zmm30, zmm14
vpmaxsd zmm14, zmm30, zmm14
vpminsd zmm30, zmm25, zmm23
vpmaxsd zmm23, zmm25, zmm23
vpminsd zmm25, zmm11, zmm22
vpmaxsd zmm22, zmm11, zmm22
vpminsd zmm11, zmm21, zmm13
vpmaxsd zmm13, zmm21, zmm13
vpminsd zmm21, zmm10, zmm29
vpmaxsd zmm29, zmm10, zmm29
vmovdqu32 zmm10, [rdi + 2112]
vmovdqu32 [rdi + 4032], zmm1
vpminsd zmm1, zmm10, zmm28
vpmaxsd zmm28, zmm10, zmm28
vmovdqu32 zmm10, [rdi + 0]
vpmaxsd zmm6, zmm10, zmm6
vmovdqu32 [rdi + 3136], zmm3
vmovdqu32 zmm3, [rdi + 64]
vpmaxsd zmm1, zmm3, zmm1
vmovdqu32 [rdi + 3200], zmm19
vmovdqu32 zmm19, [rdi + 128]
vpmaxsd zmm28, zmm19, zmm28
vmovdqu32 [rdi + 3264], zmm27
vmovdqu32 zmm27, [rdi + 192]
vpmaxsd zmm26, zmm27, zmm26
vmovdqu32 [rdi + 3328], zmm18
vmovdqu32 zmm18, [rdi + 256]
vpmaxsd zmm2, zmm18, zmm2
vmovdqu32 [rdi + 3392], zmm15
vmovdqu32 zmm15, [rdi + 320]
vpmaxsd zmm20, zmm15, zmm20
vmovdqu32 [rdi + 3456], zmm8
vmovdqu32 zmm8, [rdi + 384]
vpmaxsd zmm24, zmm8, zmm24
vmovdqu32 [rdi + 3520], zmm7
vmovdqu32 zmm7, [rdi + 448]
vpmaxsd zmm12, zmm7, zmm12
vmovdqu32 [rdi + 3584], zmm31
vmovdqu32 zmm31, [rdi + 512]
vpmaxsd zmm14, zmm31, zmm14
vmovdqu32 [rdi + 3648], zmm16
vmovdqu32 zmm16, [rdi + 576]
vpmaxsd zmm30, zmm16, zmm30
vmovdqu32 [rdi + 3712], zmm5
vmovdqu32 zmm5, [rdi + 640]
vpmaxsd zmm23, zmm5, zmm23
vmovdqu32 [rdi + 3776], zmm9
vmovdqu32 zmm9, [rdi + 704]
vpmaxsd zmm25, zmm9, zmm25
vmovdqu32 [rdi + 3840], zmm4
vmovdqu32 zmm4, [rdi + 768]
vpmaxsd zmm22, zmm4, zmm22
vmovdqu32 [rdi + 3904], zmm0
vmovdqu32 zmm0, [rdi + 832]
vpmaxsd zmm11, zmm0, zmm11
vmovdqu32 [rdi + 3968], zmm17
vmovdqu32 zmm17, [rdi + 896]
vmovdqu32 [rdi + 3008], zmm21
vpminsd zmm21, zmm17, zmm13
vpmaxsd zmm13, zmm17, zmm13
vmovdqu32 zmm17, [rdi + 1024]
vpminsd zmm17, zmm17, zmm29
vpmaxsd zmm6, zmm17, zmm6
vmovdqu32 zmm10, [rdi + 960]
vmovdqu32 zmm3, [rdi + 3008]
vmovdqu32 [rdi + 2112], zmm1
vpminsd zmm1, zmm10, zmm3
vpmaxsd zmm3, zmm10, zmm3
vmovdqu32 zmm10, [rdi + 1088]
vmovdqu32 zmm19, [rdi + 3136]
vpminsd zmm10, zmm10, zmm19
vmovdqu32 [rdi + 2176], zmm28
vmovdqu32 zmm28, [rdi + 2112]
vpmaxsd zmm28, zmm10, zmm28
vmovdqu32 zmm27, [rdi + 1152]
vmovdqu32 [rdi + 2240], zmm26
vmovdqu32 zmm26, [rdi + 3200]
vpminsd zmm27, zmm27, zmm26
vmovdqu32 zmm18, [rdi + 2176]
vpmaxsd zmm18, zmm27, zmm18
vmovdqu32 [rdi + 2304], zmm2
vmovdqu32 zmm2, [rdi + 1216]
vmovdqu32 zmm15, [rdi + 3264]
vpminsd zmm2, zmm2, zmm15
vmovdqu32 [rdi + 2368], zmm20
vmovdqu32 zmm20, [rdi + 2240]
vpmaxsd zmm20, zmm2, zmm20
vmovdqu32 zmm8, [rdi + 1280]
vmovdqu32 [rdi + 2432], zmm24
vmovdqu32 zmm24, [rdi + 3328]
vpminsd zmm8, zmm8, zmm24
vmovdqu32 zmm7, [rdi + 2304]
vpmaxsd zmm7, zmm8, zmm7
vmovdqu32 [rdi + 2496], zmm12
vmovdqu32 zmm12, [rdi + 1344]
vmovdqu32 zmm31, [rdi + 3392]
vpminsd zmm12, zmm12, zmm31
vmovdqu32 [rdi + 2560], zmm14
vmovdqu32 zmm14, [rdi + 2368]
vpmaxsd zmm14, zmm12, zmm14
vmovdqu32 zmm16, [rdi + 1408]
vmovdqu32 [rdi + 2624], zmm30
vmovdqu32 zmm30, [rdi + 3456]
vpminsd zmm16, zmm16, zmm30
vmovdqu32 zmm5, [rdi + 2432]
vmovdqu32 [rdi + 2688], zmm23
vpminsd zmm23, zmm16, zmm5
vpmaxsd zmm5, zmm16, zmm5
vpmaxsd zmm23, zmm21, zmm23
vmovdqu32 zmm16, [rdi + 1472]
vmovdqu32 zmm9, [rdi + 3520]
vpminsd zmm16, zmm16, zmm9
vmovdqu32 [rdi + 2752], zmm25
vmovdqu32 zmm25, [rdi + 2496]
vpminsd zmm4, zmm16, zmm25
vpmaxsd zmm25, zmm16, zmm25
vpmaxsd zmm4, zmm1, zmm4
vmovdqu32 zmm16, [rdi + 1536]
vmovdqu32 [rdi + 2816], zmm22
vmovdqu32 zmm22, [rdi + 3584]
vpminsd zmm16, zmm16, zmm22
vmovdqu32 zmm0, [rdi + 2560]
vpminsd zmm16, zmm16, zmm0
vpmaxsd zmm6, zmm16, zmm6
vmovdqu32 [rdi + 2880], zmm11
vmovdqu32 zmm11, [rdi + 1600]
vmovdqu32 [rdi + 2944], zmm13
vmovdqu32 zmm13, [rdi + 3648]
vpminsd zmm11, zmm11, zmm13
vmovdqu32 [rdi + 3072], zmm29
vmovdqu32 zmm29, [rdi + 2624]
vpminsd zmm11, zmm11, zmm29
vpmaxsd zmm28, zmm11, zmm28
vmovdqu32 [rdi + 1024], zmm17
vmovdqu32 zmm17, [rdi + 1664]
vmovdqu32 [rdi + 3008], zmm3
vmovdqu32 zmm3, [rdi + 3712]
vpminsd zmm17, zmm17, zmm3
vmovdqu32 zmm19, [rdi + 2688]
vpminsd zmm17, zmm17, zmm19
vmovdqu32 [rdi + 1088], zmm10
vpminsd zmm10, zmm17, zmm18
vpmaxsd zmm18, zmm17, zmm18
vpmaxsd zmm10, zmm23, zmm10
vmovdqu32 zmm17, [rdi + 1728]
vmovdqu32 zmm26, [rdi + 3776]
vpminsd zmm17, zmm17, zmm26
vmovdqu32 [rdi + 1152], zmm27
vmovdqu32 zmm27, [rdi + 2752]
vpminsd zmm17, zmm17, zmm27
vpminsd zmm15, zmm17, zmm20
vpmaxsd zmm20, zmm17, zmm20
vpmaxsd zmm15, zmm4, zmm15
vmovdqu32 zmm17, [rdi + 1792]
vmovdqu32 [rdi + 1216], zmm2
vmovdqu32 zmm2, [rdi + 3840]
vpminsd zmm17, zmm17, zmm2
vmovdqu32 zmm24, [rdi + 2816]
vpminsd zmm17, zmm17, zmm24
vpminsd zmm17, zmm17, zmm7
vmovdqu32 [rdi + 1280], zmm8
vpminsd zmm8, zmm17, zmm6
vpmaxsd zmm6, zmm17, zmm6
vpmaxsd zmm8, zmm10, zmm8
vmovdqu32 zmm17, [rdi + 1856]
vmovdqu32 zmm31, [rdi + 3904]
vpminsd zmm17, zmm17, zmm31
vmovdqu32 [rdi + 1344], zmm12
vmovdqu32 zmm12, [rdi + 2880]
vpminsd zmm17, zmm17, zmm12
vpminsd zmm17, zmm17, zmm14
vpminsd zmm30, zmm17, zmm28
vpmaxsd zmm28, zmm17, zmm28
vpminsd zmm17, zmm15, zmm30
vpmaxsd zmm30, zmm15, zmm30
vpmaxsd zmm8, zmm17, zmm8
vmovdqu32 zmm15, [rdi + 1920]
vmovdqu32 [rdi + 2432], zmm5
vmovdqu32 zmm5, [rdi + 3968]
vpminsd zmm15, zmm15, zmm5
vmovdqu32 [rdi + 896], zmm21
vmovdqu32 zmm21, [rdi + 2944]
vpminsd zmm15, zmm15, zmm21
vmovdqu32 zmm9, [rdi + 2432]
vpminsd zmm15, zmm15, zmm9
vpminsd zmm15, zmm15, zmm18
vmovdqu32 [rdi + 2496], zmm25
vpminsd zmm25, zmm15, zmm6
vpmaxsd zmm6, zmm15, zmm6
vpminsd zmm15, zmm30, zmm25
vpmaxsd zmm25, zmm30, zmm25
vmovdqu32 zmm30, [rdi + 1984]
vmovdqu32 [rdi + 960], zmm1
vmovdqu32 zmm1, [rdi + 4032]
vpminsd zmm30, zmm30, zmm1
vmovdqu32 zmm22, [rdi + 3008]
vpminsd zmm30, zmm30, zmm22
vmovdqu32 zmm0, [rdi + 2496]
vpminsd zmm30, zmm30, zmm0
vpminsd zmm30, zmm30, zmm20
vpminsd zmm30, zmm30, zmm28
vmovdqu32 [rdi + 1536], zmm16
vpminsd zmm16, zmm30, zmm6
vpmaxsd zmm6, zmm30, zmm6
vmovdqu32 [rdi + 1472], zmm4
vmovdqu32 [rdi + 2048], zmm6
vmovdqu32 [rdi + 2304], zmm7
vmovdqu32 [rdi + 1792], zmm8
vmovdqu32 [rdi + 1664], zmm10
vmovdqu32 [rdi + 1600], zmm11
vmovdqu32 [rdi + 2368], zmm14
vmovdqu32 [rdi + 1856], zmm15
vmovdqu32 [rdi + 1984], zmm16
vmovdqu32 [rdi + 1728], zmm17
vmovdqu32 [rdi + 2176], zmm18
vmovdqu32 [rdi + 2240], zmm20
vmovdqu32 [rdi + 1408], zmm23
vmovdqu32 [rdi + 1920], zmm25
vmovdqu32 [rdi + 2112], zmm28
vzeroupper
