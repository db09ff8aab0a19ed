vmovdqu ymm0, [rdi + 0]
vmovdqu ymm1, [rdi + 64]
vpminsd ymm2, ymm0, ymm1
vpmaxsd ymm1, ymm0, ymm1
vmovdqu ymm0, [rdi + 128]
vmovdqu ymm3, [rdi + 192]
vpminsd ymm4, ymm0, ymm3
vpmaxsd ymm3, ymm0, ymm3
vpminsd ymm0, ymm2, ymm4
vpmaxsd ymm4, ymm2, ymm4
vpminsd ymm2, ymm1, ymm3
vpmaxsd ymm3, ymm1, ymm3
vpminsd ymm1, ymm2, ymm4
vpmaxsd ymm4, ymm2, ymm4
vmovdqu ymm2, [rdi + 256]
vmovdqu ymm5, [rdi + 320]
vpminsd ymm6, ymm2, ymm5
vpmaxsd ymm5, ymm2, ymm5
vmovdqu ymm2, [rdi + 384]
vmovdqu ymm7, [rdi + 448]
vpminsd ymm8, ymm2, ymm7
vpmaxsd ymm7, ymm2, ymm7
vpminsd ymm2, ymm6, ymm8
vpmaxsd ymm8, ymm6, ymm8
vpminsd ymm6, ymm5, ymm7
vpmaxsd ymm7, ymm5, ymm7
vpminsd ymm5, ymm6, ymm8
vpmaxsd ymm8, ymm6, ymm8
vpminsd ymm6, ymm0, ymm2
vpmaxsd ymm2, ymm0, ymm2
vpminsd ymm0, ymm1, ymm5
vpmaxsd ymm5, ymm1, ymm5
vpminsd ymm1, ymm4, ymm8
vpmaxsd ymm8, ymm4, ymm8
vpminsd ymm4, ymm3, ymm7
vpmaxsd ymm7, ymm3, ymm7
vpminsd ymm3, ymm1, ymm2
vpmaxsd ymm2, ymm1, ymm2
vpminsd ymm1, ymm4, ymm5
vpmaxsd ymm5, ymm4, ymm5
vpminsd ymm4, ymm0, ymm3
vpmaxsd ymm3, ymm0, ymm3
vpminsd ymm0, ymm1, ymm2
vpmaxsd ymm2, ymm1, ymm2
vpminsd ymm1, ymm5, ymm8
vpmaxsd ymm8, ymm5, ymm8
vmovdqu ymm5, [rdi + 512]
vmovdqu ymm9, [rdi + 576]
vpminsd ymm10, ymm5, ymm9
vpmaxsd ymm9, ymm5, ymm9
vmovdqu ymm5, [rdi + 640]
vmovdqu ymm11, [rdi + 704]
vpminsd ymm12, ymm5, ymm11
vpmaxsd ymm11, ymm5, ymm11
vpminsd ymm5, ymm10, ymm12
vpmaxsd ymm12, ymm10, ymm12
vpminsd ymm10, ymm9, ymm11
vpmaxsd ymm11, ymm9, ymm11
vpminsd ymm9, ymm10, ymm12
vpmaxsd ymm12, ymm10, ymm12
vmovdqu ymm10, [rdi + 768]
vmovdqu ymm13, [rdi + 832]
vpminsd ymm14, ymm10, ymm13
vpmaxsd ymm13, ymm10, ymm13
vmovdqu ymm10, [rdi + 896]
vmovdqu ymm15, [rdi + 960]
vmovdqu [rdi + 0], ymm6
vpminsd ymm6, ymm10, ymm15
vpmaxsd ymm15, ymm10, ymm15
vpminsd ymm10, ymm14, ymm6
vpmaxsd ymm6, ymm14, ymm6
vpminsd ymm14, ymm13, ymm15
vpmaxsd ymm15, ymm13, ymm15
vpminsd ymm13, ymm14, ymm6
vpmaxsd ymm6, ymm14, ymm6
vpminsd ymm14, ymm5, ymm10
vpmaxsd ymm10, ymm5, ymm10
vpminsd ymm5, ymm9, ymm13
vpmaxsd ymm13, ymm9, ymm13
vpminsd ymm9, ymm12, ymm6
vpmaxsd ymm6, ymm12, ymm6
vpminsd ymm12, ymm11, ymm15
vpmaxsd ymm15, ymm11, ymm15
vpminsd ymm11, ymm9, ymm10
vpmaxsd ymm10, ymm9, ymm10
vpminsd ymm9, ymm12, ymm13
vpmaxsd ymm13, ymm12, ymm13
vpminsd ymm12, ymm5, ymm11
vpmaxsd ymm11, ymm5, ymm11
vpminsd ymm5, ymm9, ymm10
vpmaxsd ymm10, ymm9, ymm10
vpminsd ymm9, ymm13, ymm6
vpmaxsd ymm6, ymm13, ymm6
vpminsd ymm13, ymm4, ymm12
vpmaxsd ymm12, ymm4, ymm12
vpminsd ymm4, ymm3, ymm11
vpmaxsd ymm11, ymm3, ymm11
vpminsd ymm3, ymm0, ymm5
vpmaxsd ymm5, ymm0, ymm5
vpminsd ymm0, ymm2, ymm10
vpmaxsd ymm10, ymm2, ymm10
vpminsd ymm2, ymm1, ymm9
vpmaxsd ymm9, ymm1, ymm9
vpminsd ymm1, ymm8, ymm6
vpmaxsd ymm6, ymm8, ymm6
vpminsd ymm8, ymm7, ymm15
vpmaxsd ymm15, ymm7, ymm15
vpminsd ymm7, ymm2, ymm12
vpmaxsd ymm12, ymm2, ymm12
vpminsd ymm2, ymm1, ymm11
vpmaxsd ymm11, ymm1, ymm11
vpminsd ymm1, ymm8, ymm5
vpmaxsd ymm5, ymm8, ymm5
vpminsd ymm8, ymm3, ymm7
vpmaxsd ymm7, ymm3, ymm7
vpminsd ymm3, ymm1, ymm12
vpmaxsd ymm12, ymm1, ymm12
vpminsd ymm1, ymm11, ymm10
vpmaxsd ymm10, ymm11, ymm10
vpminsd ymm11, ymm5, ymm9
vpmaxsd ymm9, ymm5, ymm9
vpminsd ymm5, ymm12, ymm1
vpmaxsd ymm1, ymm12, ymm1
vpminsd ymm12, ymm11, ymm10
vpmaxsd ymm10, ymm11, ymm10
vpminsd ymm11, ymm9, ymm6
vpmaxsd ymm6, ymm9, ymm6
vmovdqu ymm9, [rdi + 0]
vmovdqu [rdi + 64], ymm13
vpminsd ymm13, ymm9, ymm14
vpmaxsd ymm14, ymm9, ymm14
vpminsd ymm9, ymm0, ymm14
vpmaxsd ymm14, ymm0, ymm14
vpminsd ymm0, ymm4, ymm9
vpmaxsd ymm9, ymm4, ymm9
vpminsd ymm4, ymm2, ymm14
vpmaxsd ymm14, ymm2, ymm14
vpminsd ymm2, ymm8, ymm9
vpmaxsd ymm9, ymm8, ymm9
vpminsd ymm8, ymm7, ymm4
vpmaxsd ymm4, ymm7, ymm4
vpminsd ymm7, ymm3, ymm14
vpmaxsd ymm14, ymm3, ymm14
vmovdqu ymm3, [rdi + 64]
vmovdqu [rdi + 960], ymm15
vpminsd ymm15, ymm3, ymm0
vpmaxsd ymm0, ymm3, ymm0
vmovdqu ymm3, [rdi + 1024]
vmovdqu [rdi + 576], ymm5
vmovdqu ymm5, [rdi + 1088]
vmovdqu [rdi + 640], ymm1
vpminsd ymm1, ymm3, ymm5
vpmaxsd ymm5, ymm3, ymm5
vmovdqu ymm3, [rdi + 1152]
vmovdqu [rdi + 704], ymm12
vmovdqu ymm12, [rdi + 1216]
vmovdqu [rdi + 768], ymm10
vpminsd ymm10, ymm3, ymm12
vpmaxsd ymm12, ymm3, ymm12
vpminsd ymm3, ymm1, ymm10
vpmaxsd ymm10, ymm1, ymm10
vpminsd ymm1, ymm5, ymm12
vpmaxsd ymm12, ymm5, ymm12
vpminsd ymm5, ymm1, ymm10
vpmaxsd ymm10, ymm1, ymm10
vmovdqu ymm1, [rdi + 1280]
vmovdqu [rdi + 832], ymm11
vmovdqu ymm11, [rdi + 1344]
vmovdqu [rdi + 896], ymm6
vpminsd ymm6, ymm1, ymm11
vpmaxsd ymm11, ymm1, ymm11
vmovdqu ymm1, [rdi + 1408]
vmovdqu [rdi + 0], ymm13
vmovdqu ymm13, [rdi + 1472]
vmovdqu [rdi + 192], ymm2
vpminsd ymm2, ymm1, ymm13
vpmaxsd ymm13, ymm1, ymm13
vpminsd ymm1, ymm6, ymm2
vpmaxsd ymm2, ymm6, ymm2
vpminsd ymm6, ymm11, ymm13
vpmaxsd ymm13, ymm11, ymm13
vpminsd ymm11, ymm6, ymm2
vpmaxsd ymm2, ymm6, ymm2
vpminsd ymm6, ymm3, ymm1
vpmaxsd ymm1, ymm3, ymm1
vpminsd ymm3, ymm5, ymm11
vpmaxsd ymm11, ymm5, ymm11
vpminsd ymm5, ymm10, ymm2
vpmaxsd ymm2, ymm10, ymm2
vpminsd ymm10, ymm12, ymm13
vpmaxsd ymm13, ymm12, ymm13
vpminsd ymm12, ymm5, ymm1
vpmaxsd ymm1, ymm5, ymm1
vpminsd ymm5, ymm10, ymm11
vpmaxsd ymm11, ymm10, ymm11
vpminsd ymm10, ymm3, ymm12
vpmaxsd ymm12, ymm3, ymm12
vpminsd ymm3, ymm5, ymm1
vpmaxsd ymm1, ymm5, ymm1
vpminsd ymm5, ymm11, ymm2
vpmaxsd ymm2, ymm11, ymm2
vmovdqu ymm11, [rdi + 1536]
vmovdqu [rdi + 256], ymm9
vmovdqu ymm9, [rdi + 1600]
vmovdqu [rdi + 320], ymm8
vpminsd ymm8, ymm11, ymm9
vpmaxsd ymm9, ymm11, ymm9
vmovdqu ymm11, [rdi + 1664]
vmovdqu [rdi + 384], ymm4
vmovdqu ymm4, [rdi + 1728]
vmovdqu [rdi + 448], ymm7
vpminsd ymm7, ymm11, ymm4
vpmaxsd ymm4, ymm11, ymm4
vpminsd ymm11, ymm8, ymm7
vpmaxsd ymm7, ymm8, ymm7
vpminsd ymm8, ymm9, ymm4
vpmaxsd ymm4, ymm9, ymm4
vpminsd ymm9, ymm8, ymm7
vpmaxsd ymm7, ymm8, ymm7
vmovdqu ymm8, [rdi + 1792]
vmovdqu [rdi + 512], ymm14
vmovdqu ymm14, [rdi + 1856]
vmovdqu [rdi + 64], ymm15
vpminsd ymm15, ymm8, ymm14
vpmaxsd ymm14, ymm8, ymm14
vmovdqu ymm8, [rdi + 1920]
vmovdqu [rdi + 128], ymm0
vmovdqu ymm0, [rdi + 1984]
vmovdqu [rdi + 1024], ymm6
vpminsd ymm6, ymm8, ymm0
vpmaxsd ymm0, ymm8, ymm0
vpminsd ymm8, ymm15, ymm6
vpmaxsd ymm6, ymm15, ymm6
vpminsd ymm15, ymm14, ymm0
vpmaxsd ymm0, ymm14, ymm0
vpminsd ymm14, ymm15, ymm6
vpmaxsd ymm6, ymm15, ymm6
vpminsd ymm15, ymm11, ymm8
vpmaxsd ymm8, ymm11, ymm8
vpminsd ymm11, ymm9, ymm14
vpmaxsd ymm14, ymm9, ymm14
vpminsd ymm9, ymm7, ymm6
vpmaxsd ymm6, ymm7, ymm6
vpminsd ymm7, ymm4, ymm0
vpmaxsd ymm0, ymm4, ymm0
vpminsd ymm4, ymm9, ymm8
vpmaxsd ymm8, ymm9, ymm8
vpminsd ymm9, ymm7, ymm14
vpmaxsd ymm14, ymm7, ymm14
vpminsd ymm7, ymm11, ymm4
vpmaxsd ymm4, ymm11, ymm4
vpminsd ymm11, ymm9, ymm8
vpmaxsd ymm8, ymm9, ymm8
vpminsd ymm9, ymm14, ymm6
vpmaxsd ymm6, ymm14, ymm6
vpminsd ymm14, ymm10, ymm7
vpmaxsd ymm7, ymm10, ymm7
vpminsd ymm10, ymm12, ymm4
vpmaxsd ymm4, ymm12, ymm4
vpminsd ymm12, ymm3, ymm11
vpmaxsd ymm11, ymm3, ymm11
vpminsd ymm3, ymm1, ymm8
vpmaxsd ymm8, ymm1, ymm8
vpminsd ymm1, ymm5, ymm9
vpmaxsd ymm9, ymm5, ymm9
vpminsd ymm5, ymm2, ymm6
vpmaxsd ymm6, ymm2, ymm6
vpminsd ymm2, ymm13, ymm0
vpmaxsd ymm0, ymm13, ymm0
vpminsd ymm13, ymm1, ymm7
vpmaxsd ymm7, ymm1, ymm7
vpminsd ymm1, ymm5, ymm4
vpmaxsd ymm4, ymm5, ymm4
vpminsd ymm5, ymm2, ymm11
vpmaxsd ymm11, ymm2, ymm11
vpminsd ymm2, ymm12, ymm13
vpmaxsd ymm13, ymm12, ymm13
vpminsd ymm12, ymm5, ymm7
vpmaxsd ymm7, ymm5, ymm7
vpminsd ymm5, ymm4, ymm8
vpmaxsd ymm8, ymm4, ymm8
vpminsd ymm4, ymm11, ymm9
vpmaxsd ymm9, ymm11, ymm9
vpminsd ymm11, ymm7, ymm5
vpmaxsd ymm5, ymm7, ymm5
vpminsd ymm7, ymm4, ymm8
vpmaxsd ymm8, ymm4, ymm8
vpminsd ymm4, ymm9, ymm6
vpmaxsd ymm6, ymm9, ymm6
vmovdqu ymm9, [rdi + 1024]
vmovdqu [rdi + 1088], ymm14
vpminsd ymm14, ymm9, ymm15
vpmaxsd ymm15, ymm9, ymm15
vpminsd ymm9, ymm3, ymm15
vpmaxsd ymm15, ymm3, ymm15
vpminsd ymm3, ymm10, ymm9
vpmaxsd ymm9, ymm10, ymm9
vpminsd ymm10, ymm1, ymm15
vpmaxsd ymm15, ymm1, ymm15
vpminsd ymm1, ymm2, ymm9
vpmaxsd ymm9, ymm2, ymm9
vpminsd ymm2, ymm13, ymm10
vpmaxsd ymm10, ymm13, ymm10
vpminsd ymm13, ymm12, ymm15
vpmaxsd ymm15, ymm12, ymm15
vmovdqu ymm12, [rdi + 1088]
vmovdqu [rdi + 1984], ymm0
vpminsd ymm0, ymm12, ymm3
vpmaxsd ymm3, ymm12, ymm3
vmovdqu ymm12, [rdi + 0]
vmovdqu [rdi + 1600], ymm11
vpminsd ymm11, ymm12, ymm14
vpmaxsd ymm14, ymm12, ymm14
vmovdqu ymm12, [rdi + 64]
vmovdqu [rdi + 1664], ymm5
vpminsd ymm5, ymm12, ymm0
vpmaxsd ymm0, ymm12, ymm0
vmovdqu ymm12, [rdi + 128]
vmovdqu [rdi + 1728], ymm7
vpminsd ymm7, ymm12, ymm3
vpmaxsd ymm3, ymm12, ymm3
vmovdqu ymm12, [rdi + 192]
vmovdqu [rdi + 1792], ymm8
vpminsd ymm8, ymm12, ymm1
vpmaxsd ymm1, ymm12, ymm1
vmovdqu ymm12, [rdi + 256]
vmovdqu [rdi + 1856], ymm4
vpminsd ymm4, ymm12, ymm9
vpmaxsd ymm9, ymm12, ymm9
vmovdqu ymm12, [rdi + 320]
vmovdqu [rdi + 1920], ymm6
vpminsd ymm6, ymm12, ymm2
vpmaxsd ymm2, ymm12, ymm2
vmovdqu ymm12, [rdi + 384]
vmovdqu [rdi + 1472], ymm13
vpminsd ymm13, ymm12, ymm10
vpmaxsd ymm10, ymm12, ymm10
vmovdqu ymm12, [rdi + 512]
vmovdqu [rdi + 0], ymm11
vpminsd ymm11, ymm12, ymm15
vpmaxsd ymm15, ymm12, ymm15
vpminsd ymm12, ymm11, ymm14
vpmaxsd ymm14, ymm11, ymm14
vpminsd ymm11, ymm4, ymm12
vpmaxsd ymm12, ymm4, ymm12
vpminsd ymm4, ymm7, ymm11
vpmaxsd ymm11, ymm7, ymm11
vpminsd ymm7, ymm5, ymm4
vpmaxsd ymm4, ymm5, ymm4
vmovdqu ymm5, [rdi + 2048]
vmovdqu [rdi + 1088], ymm0
vmovdqu ymm0, [rdi + 2112]
vmovdqu [rdi + 1152], ymm3
vpminsd ymm3, ymm5, ymm0
vpmaxsd ymm0, ymm5, ymm0
vmovdqu ymm5, [rdi + 2176]
vmovdqu [rdi + 192], ymm8
vmovdqu ymm8, [rdi + 2240]
vmovdqu [rdi + 1216], ymm1
vpminsd ymm1, ymm5, ymm8
vpmaxsd ymm8, ymm5, ymm8
vpminsd ymm5, ymm3, ymm1
vpmaxsd ymm1, ymm3, ymm1
vpminsd ymm3, ymm0, ymm8
vpmaxsd ymm8, ymm0, ymm8
vpminsd ymm0, ymm3, ymm1
vpmaxsd ymm1, ymm3, ymm1
vmovdqu ymm3, [rdi + 2304]
vmovdqu [rdi + 1280], ymm9
vmovdqu ymm9, [rdi + 2368]
vmovdqu [rdi + 320], ymm6
vpminsd ymm6, ymm3, ymm9
vpmaxsd ymm9, ymm3, ymm9
vmovdqu ymm3, [rdi + 2432]
vmovdqu [rdi + 1344], ymm2
vmovdqu ymm2, [rdi + 2496]
vmovdqu [rdi + 384], ymm13
vpminsd ymm13, ymm3, ymm2
vpmaxsd ymm2, ymm3, ymm2
vpminsd ymm3, ymm6, ymm13
vpmaxsd ymm13, ymm6, ymm13
vpminsd ymm6, ymm9, ymm2
vpmaxsd ymm2, ymm9, ymm2
vpminsd ymm9, ymm6, ymm13
vpmaxsd ymm13, ymm6, ymm13
vpminsd ymm6, ymm5, ymm3
vpmaxsd ymm3, ymm5, ymm3
vpminsd ymm5, ymm0, ymm9
vpmaxsd ymm9, ymm0, ymm9
vpminsd ymm0, ymm1, ymm13
vpmaxsd ymm13, ymm1, ymm13
vpminsd ymm1, ymm8, ymm2
vpmaxsd ymm2, ymm8, ymm2
vpminsd ymm8, ymm0, ymm3
vpmaxsd ymm3, ymm0, ymm3
vpminsd ymm0, ymm1, ymm9
vpmaxsd ymm9, ymm1, ymm9
vpminsd ymm1, ymm5, ymm8
vpmaxsd ymm8, ymm5, ymm8
vpminsd ymm5, ymm0, ymm3
vpmaxsd ymm3, ymm0, ymm3
vpminsd ymm0, ymm9, ymm13
vpmaxsd ymm13, ymm9, ymm13
vmovdqu ymm9, [rdi + 2560]
vmovdqu [rdi + 1408], ymm10
vmovdqu ymm10, [rdi + 2624]
vmovdqu [rdi + 1536], ymm15
vpminsd ymm15, ymm9, ymm10
vpmaxsd ymm10, ymm9, ymm10
vmovdqu ymm9, [rdi + 2688]
vmovdqu [rdi + 1024], ymm14
vmovdqu ymm14, [rdi + 2752]
vmovdqu [rdi + 512], ymm12
vpminsd ymm12, ymm9, ymm14
vpmaxsd ymm14, ymm9, ymm14
vpminsd ymm9, ymm15, ymm12
vpmaxsd ymm12, ymm15, ymm12
vpminsd ymm15, ymm10, ymm14
vpmaxsd ymm14, ymm10, ymm14
vpminsd ymm10, ymm15, ymm12
vpmaxsd ymm12, ymm15, ymm12
vmovdqu ymm15, [rdi + 2816]
vmovdqu [rdi + 256], ymm11
vmovdqu ymm11, [rdi + 2880]
vmovdqu [rdi + 64], ymm7
vpminsd ymm7, ymm15, ymm11
vpmaxsd ymm11, ymm15, ymm11
vmovdqu ymm15, [rdi + 2944]
vmovdqu [rdi + 128], ymm4
vmovdqu ymm4, [rdi + 3008]
vmovdqu [rdi + 2048], ymm6
vpminsd ymm6, ymm15, ymm4
vpmaxsd ymm4, ymm15, ymm4
vpminsd ymm15, ymm7, ymm6
vpmaxsd ymm6, ymm7, ymm6
vpminsd ymm7, ymm11, ymm4
vpmaxsd ymm4, ymm11, ymm4
vpminsd ymm11, ymm7, ymm6
vpmaxsd ymm6, ymm7, ymm6
vpminsd ymm7, ymm9, ymm15
vpmaxsd ymm15, ymm9, ymm15
vpminsd ymm9, ymm10, ymm11
vpmaxsd ymm11, ymm10, ymm11
vpminsd ymm10, ymm12, ymm6
vpmaxsd ymm6, ymm12, ymm6
vpminsd ymm12, ymm14, ymm4
vpmaxsd ymm4, ymm14, ymm4
vpminsd ymm14, ymm10, ymm15
vpmaxsd ymm15, ymm10, ymm15
vpminsd ymm10, ymm12, ymm11
vpmaxsd ymm11, ymm12, ymm11
vpminsd ymm12, ymm9, ymm14
vpmaxsd ymm14, ymm9, ymm14
vpminsd ymm9, ymm10, ymm15
vpmaxsd ymm15, ymm10, ymm15
vpminsd ymm10, ymm11, ymm6
vpmaxsd ymm6, ymm11, ymm6
vpminsd ymm11, ymm1, ymm12
vpmaxsd ymm12, ymm1, ymm12
vpminsd ymm1, ymm8, ymm14
vpmaxsd ymm14, ymm8, ymm14
vpminsd ymm8, ymm5, ymm9
vpmaxsd ymm9, ymm5, ymm9
vpminsd ymm5, ymm3, ymm15
vpmaxsd ymm15, ymm3, ymm15
vpminsd ymm3, ymm0, ymm10
vpmaxsd ymm10, ymm0, ymm10
vpminsd ymm0, ymm13, ymm6
vpmaxsd ymm6, ymm13, ymm6
vpminsd ymm13, ymm2, ymm4
vpmaxsd ymm4, ymm2, ymm4
vpminsd ymm2, ymm3, ymm12
vpmaxsd ymm12, ymm3, ymm12
vpminsd ymm3, ymm0, ymm14
vpmaxsd ymm14, ymm0, ymm14
vpminsd ymm0, ymm13, ymm9
vpmaxsd ymm9, ymm13, ymm9
vpminsd ymm13, ymm8, ymm2
vpmaxsd ymm2, ymm8, ymm2
vpminsd ymm8, ymm0, ymm12
vpmaxsd ymm12, ymm0, ymm12
vpminsd ymm0, ymm14, ymm15
vpmaxsd ymm15, ymm14, ymm15
vpminsd ymm14, ymm9, ymm10
vpmaxsd ymm10, ymm9, ymm10
vpminsd ymm9, ymm12, ymm0
vpmaxsd ymm0, ymm12, ymm0
vpminsd ymm12, ymm14, ymm15
vpmaxsd ymm15, ymm14, ymm15
vpminsd ymm14, ymm10, ymm6
vpmaxsd ymm6, ymm10, ymm6
vmovdqu ymm10, [rdi + 2048]
vmovdqu [rdi + 2112], ymm11
vpminsd ymm11, ymm10, ymm7
vpmaxsd ymm7, ymm10, ymm7
vpminsd ymm10, ymm5, ymm7
vpmaxsd ymm7, ymm5, ymm7
vpminsd ymm5, ymm1, ymm10
vpmaxsd ymm10, ymm1, ymm10
vpminsd ymm1, ymm3, ymm7
vpmaxsd ymm7, ymm3, ymm7
vpminsd ymm3, ymm13, ymm10
vpmaxsd ymm10, ymm13, ymm10
vpminsd ymm13, ymm2, ymm1
vpmaxsd ymm1, ymm2, ymm1
vpminsd ymm2, ymm8, ymm7
vpmaxsd ymm7, ymm8, ymm7
vmovdqu ymm8, [rdi + 2112]
vmovdqu [rdi + 3008], ymm4
vpminsd ymm4, ymm8, ymm5
vpmaxsd ymm5, ymm8, ymm5
vmovdqu ymm8, [rdi + 3072]
vmovdqu [rdi + 2624], ymm9
vmovdqu ymm9, [rdi + 3136]
vmovdqu [rdi + 2688], ymm0
vpminsd ymm0, ymm8, ymm9
vpmaxsd ymm9, ymm8, ymm9
vmovdqu ymm8, [rdi + 3200]
vmovdqu [rdi + 2752], ymm12
vmovdqu ymm12, [rdi + 3264]
vmovdqu [rdi + 2816], ymm15
vpminsd ymm15, ymm8, ymm12
vpmaxsd ymm12, ymm8, ymm12
vpminsd ymm8, ymm0, ymm15
vpmaxsd ymm15, ymm0, ymm15
vpminsd ymm0, ymm9, ymm12
vpmaxsd ymm12, ymm9, ymm12
vpminsd ymm9, ymm0, ymm15
vpmaxsd ymm15, ymm0, ymm15
vmovdqu ymm0, [rdi + 3328]
vmovdqu [rdi + 2880], ymm14
vmovdqu ymm14, [rdi + 3392]
vmovdqu [rdi + 2944], ymm6
vpminsd ymm6, ymm0, ymm14
vpmaxsd ymm14, ymm0, ymm14
vmovdqu ymm0, [rdi + 3456]
vmovdqu [rdi + 2048], ymm11
vmovdqu ymm11, [rdi + 3520]
vmovdqu [rdi + 2240], ymm3
vpminsd ymm3, ymm0, ymm11
vpmaxsd ymm11, ymm0, ymm11
vpminsd ymm0, ymm6, ymm3
vpmaxsd ymm3, ymm6, ymm3
vpminsd ymm6, ymm14, ymm11
vpmaxsd ymm11, ymm14, ymm11
vpminsd ymm14, ymm6, ymm3
vpmaxsd ymm3, ymm6, ymm3
vpminsd ymm6, ymm8, ymm0
vpmaxsd ymm0, ymm8, ymm0
vpminsd ymm8, ymm9, ymm14
vpmaxsd ymm14, ymm9, ymm14
vpminsd ymm9, ymm15, ymm3
vpmaxsd ymm3, ymm15, ymm3
vpminsd ymm15, ymm12, ymm11
vpmaxsd ymm11, ymm12, ymm11
vpminsd ymm12, ymm9, ymm0
vpmaxsd ymm0, ymm9, ymm0
vpminsd ymm9, ymm15, ymm14
vpmaxsd ymm14, ymm15, ymm14
vpminsd ymm15, ymm8, ymm12
vpmaxsd ymm12, ymm8, ymm12
vpminsd ymm8, ymm9, ymm0
vpmaxsd ymm0, ymm9, ymm0
vpminsd ymm9, ymm14, ymm3
vpmaxsd ymm3, ymm14, ymm3
vmovdqu ymm14, [rdi + 3584]
vmovdqu [rdi + 2304], ymm10
vmovdqu ymm10, [rdi + 3648]
vmovdqu [rdi + 2368], ymm13
vpminsd ymm13, ymm14, ymm10
vpmaxsd ymm10, ymm14, ymm10
vmovdqu ymm14, [rdi + 3712]
vmovdqu [rdi + 2432], ymm1
vmovdqu ymm1, [rdi + 3776]
vmovdqu [rdi + 2496], ymm2
vpminsd ymm2, ymm14, ymm1
vpmaxsd ymm1, ymm14, ymm1
vpminsd ymm14, ymm13, ymm2
vpmaxsd ymm2, ymm13, ymm2
vpminsd ymm13, ymm10, ymm1
vpmaxsd ymm1, ymm10, ymm1
vpminsd ymm10, ymm13, ymm2
vpmaxsd ymm2, ymm13, ymm2
vmovdqu ymm13, [rdi + 3840]
vmovdqu [rdi + 2560], ymm7
vmovdqu ymm7, [rdi + 3904]
vmovdqu [rdi + 2112], ymm4
vpminsd ymm4, ymm13, ymm7
vpmaxsd ymm7, ymm13, ymm7
vmovdqu ymm13, [rdi + 3968]
vmovdqu [rdi + 2176], ymm5
vmovdqu ymm5, [rdi + 4032]
vmovdqu [rdi + 3072], ymm6
vpminsd ymm6, ymm13, ymm5
vpmaxsd ymm5, ymm13, ymm5
vpminsd ymm13, ymm4, ymm6
vpmaxsd ymm6, ymm4, ymm6
vpminsd ymm4, ymm7, ymm5
vpmaxsd ymm5, ymm7, ymm5
vpminsd ymm7, ymm4, ymm6
vpmaxsd ymm6, ymm4, ymm6
vpminsd ymm4, ymm14, ymm13
vpmaxsd ymm13, ymm14, ymm13
vpminsd ymm14, ymm10, ymm7
vpmaxsd ymm7, ymm10, ymm7
vpminsd ymm10, ymm2, ymm6
vpmaxsd ymm6, ymm2, ymm6
vpminsd ymm2, ymm1, ymm5
vpmaxsd ymm5, ymm1, ymm5
vpminsd ymm1, ymm10, ymm13
vpmaxsd ymm13, ymm10, ymm13
vpminsd ymm10, ymm2, ymm7
vpmaxsd ymm7, ymm2, ymm7
vpminsd ymm2, ymm14, ymm1
vpmaxsd ymm1, ymm14, ymm1
vpminsd ymm14, ymm10, ymm13
vpmaxsd ymm13, ymm10, ymm13
vpminsd ymm10, ymm7, ymm6
vpmaxsd ymm6, ymm7, ymm6
vpminsd ymm7, ymm15, ymm2
vpmaxsd ymm2, ymm15, ymm2
vpminsd ymm15, ymm12, ymm1
vpmaxsd ymm1, ymm12, ymm1
vpminsd ymm12, ymm8, ymm14
vpmaxsd ymm14, ymm8, ymm14
vpminsd ymm8, ymm0, ymm13
vpmaxsd ymm13, ymm0, ymm13
vpminsd ymm0, ymm9, ymm10
vpmaxsd ymm10, ymm9, ymm10
vpminsd ymm9, ymm3, ymm6
vpmaxsd ymm6, ymm3, ymm6
vpminsd ymm3, ymm11, ymm5
vpmaxsd ymm5, ymm11, ymm5
vpminsd ymm11, ymm0, ymm2
vpmaxsd ymm2, ymm0, ymm2
vpminsd ymm0, ymm9, ymm1
vpmaxsd ymm1, ymm9, ymm1
vpminsd ymm9, ymm3, ymm14
vpmaxsd ymm14, ymm3, ymm14
vpminsd ymm3, ymm12, ymm11
vpmaxsd ymm11, ymm12, ymm11
vpminsd ymm12, ymm9, ymm2
vpmaxsd ymm2, ymm9, ymm2
vpminsd ymm9, ymm1, ymm13
vpmaxsd ymm13, ymm1, ymm13
vpminsd ymm1, ymm14, ymm10
vpmaxsd ymm10, ymm14, ymm10
vpminsd ymm14, ymm2, ymm9
vpmaxsd ymm9, ymm2, ymm9
vpminsd ymm2, ymm1, ymm13
vpmaxsd ymm13, ymm1, ymm13
vpminsd ymm1, ymm10, ymm6
vpmaxsd ymm6, ymm10, ymm6
vmovdqu ymm10, [rdi + 3072]
vmovdqu [rdi + 3136], ymm7
vpminsd ymm7, ymm10, ymm4
vpmaxsd ymm4, ymm10, ymm4
vpminsd ymm10, ymm8, ymm4
vpmaxsd ymm4, ymm8, ymm4
vpminsd ymm8, ymm15, ymm10
vpmaxsd ymm10, ymm15, ymm10
vpminsd ymm15, ymm0, ymm4
vpmaxsd ymm4, ymm0, ymm4
vpminsd ymm0, ymm3, ymm10
vpmaxsd ymm10, ymm3, ymm10
vpminsd ymm3, ymm11, ymm15
vpmaxsd ymm15, ymm11, ymm15
vpminsd ymm11, ymm12, ymm4
vpmaxsd ymm4, ymm12, ymm4
vmovdqu ymm12, [rdi + 3136]
vmovdqu [rdi + 4032], ymm5
vpminsd ymm5, ymm12, ymm8
vpmaxsd ymm8, ymm12, ymm8
vmovdqu ymm12, [rdi + 2048]
vmovdqu [rdi + 3648], ymm14
vpminsd ymm14, ymm12, ymm7
vpmaxsd ymm7, ymm12, ymm7
vmovdqu ymm12, [rdi + 2112]
vmovdqu [rdi + 3712], ymm9
vpminsd ymm9, ymm12, ymm5
vpmaxsd ymm5, ymm12, ymm5
vmovdqu ymm12, [rdi + 2176]
vmovdqu [rdi + 3776], ymm2
vpminsd ymm2, ymm12, ymm8
vpmaxsd ymm8, ymm12, ymm8
vmovdqu ymm12, [rdi + 2240]
vmovdqu [rdi + 3840], ymm13
vpminsd ymm13, ymm12, ymm0
vpmaxsd ymm0, ymm12, ymm0
vmovdqu ymm12, [rdi + 2304]
vmovdqu [rdi + 3904], ymm1
vpminsd ymm1, ymm12, ymm10
vpmaxsd ymm10, ymm12, ymm10
vmovdqu ymm12, [rdi + 2368]
vmovdqu [rdi + 3968], ymm6
vpminsd ymm6, ymm12, ymm3
vpmaxsd ymm3, ymm12, ymm3
vmovdqu ymm12, [rdi + 2432]
vmovdqu [rdi + 3520], ymm11
vpminsd ymm11, ymm12, ymm15
vpmaxsd ymm15, ymm12, ymm15
vmovdqu ymm12, [rdi + 2560]
vmovdqu [rdi + 2048], ymm14
vpminsd ymm14, ymm12, ymm4
vpmaxsd ymm4, ymm12, ymm4
vpminsd ymm12, ymm14, ymm7
vpmaxsd ymm7, ymm14, ymm7
vpminsd ymm14, ymm1, ymm12
vpmaxsd ymm12, ymm1, ymm12
vpminsd ymm1, ymm2, ymm14
vpmaxsd ymm14, ymm2, ymm14
vpminsd ymm2, ymm9, ymm1
vpmaxsd ymm1, ymm9, ymm1
vmovdqu ymm9, [rdi + 64]
vpmaxsd ymm2, ymm9, ymm2
vmovdqu [rdi + 3136], ymm5
vmovdqu ymm5, [rdi + 128]
vpmaxsd ymm1, ymm5, ymm1
vmovdqu [rdi + 3200], ymm8
vmovdqu ymm8, [rdi + 448]
vmovdqu [rdi + 2240], ymm13
vmovdqu ymm13, [rdi + 1472]
vmovdqu [rdi + 3264], ymm0
vpminsd ymm0, ymm8, ymm13
vpmaxsd ymm13, ymm8, ymm13
vmovdqu ymm8, [rdi + 576]
vmovdqu [rdi + 3328], ymm10
vmovdqu ymm10, [rdi + 1600]
vmovdqu [rdi + 2368], ymm6
vpminsd ymm6, ymm8, ymm10
vpmaxsd ymm10, ymm8, ymm10
vmovdqu ymm8, [rdi + 1088]
vmovdqu [rdi + 3392], ymm3
vpminsd ymm3, ymm6, ymm8
vpmaxsd ymm8, ymm6, ymm8
vmovdqu ymm6, [rdi + 320]
vmovdqu [rdi + 2432], ymm11
vpminsd ymm11, ymm6, ymm3
vpmaxsd ymm3, ymm6, ymm3
vmovdqu ymm6, [rdi + 192]
vmovdqu [rdi + 3456], ymm15
vpminsd ymm15, ymm6, ymm11
vpmaxsd ymm11, ymm6, ymm11
vmovdqu ymm6, [rdi + 256]
vmovdqu [rdi + 3584], ymm4
vpminsd ymm4, ymm15, ymm6
vpmaxsd ymm6, ymm15, ymm6
vmovdqu ymm15, [rdi + 640]
vmovdqu [rdi + 3072], ymm7
vmovdqu ymm7, [rdi + 1664]
vmovdqu [rdi + 2560], ymm12
vpminsd ymm12, ymm15, ymm7
vpmaxsd ymm7, ymm15, ymm7
vmovdqu ymm15, [rdi + 1152]
vmovdqu [rdi + 2304], ymm14
vpminsd ymm14, ymm12, ymm15
vpmaxsd ymm15, ymm12, ymm15
vmovdqu ymm12, [rdi + 384]
vpminsd ymm9, ymm12, ymm14
vpmaxsd ymm14, ymm12, ymm14
vmovdqu ymm12, [rdi + 512]
vmovdqu [rdi + 2112], ymm2
vpminsd ymm2, ymm9, ymm12
vpmaxsd ymm12, ymm9, ymm12
vpminsd ymm9, ymm11, ymm2
vpmaxsd ymm2, ymm11, ymm2
vmovdqu ymm11, [rdi + 704]
vmovdqu ymm5, [rdi + 1728]
vmovdqu [rdi + 2176], ymm1
vpminsd ymm1, ymm11, ymm5
vpmaxsd ymm5, ymm11, ymm5
vmovdqu ymm11, [rdi + 1216]
vmovdqu [rdi + 448], ymm0
vpminsd ymm0, ymm1, ymm11
vpmaxsd ymm11, ymm1, ymm11
vmovdqu ymm1, [rdi + 448]
vmovdqu [rdi + 1472], ymm13
vpminsd ymm13, ymm1, ymm0
vpmaxsd ymm0, ymm1, ymm0
vpminsd ymm1, ymm13, ymm3
vpmaxsd ymm3, ymm13, ymm3
vpminsd ymm13, ymm1, ymm12
vpmaxsd ymm12, ymm1, ymm12
vmovdqu ymm1, [rdi + 768]
vmovdqu [rdi + 1600], ymm10
vmovdqu ymm10, [rdi + 1792]
vmovdqu [rdi + 1088], ymm8
vpminsd ymm8, ymm1, ymm10
vpmaxsd ymm10, ymm1, ymm10
vmovdqu ymm1, [rdi + 1280]
vmovdqu [rdi + 192], ymm4
vpminsd ymm4, ymm8, ymm1
vpmaxsd ymm1, ymm8, ymm1
vmovdqu ymm8, [rdi + 1024]
vmovdqu [rdi + 256], ymm6
vpminsd ymm6, ymm4, ymm8
vpmaxsd ymm8, ymm4, ymm8
vpminsd ymm4, ymm14, ymm6
vpmaxsd ymm6, ymm14, ymm6
vpminsd ymm14, ymm3, ymm4
vpmaxsd ymm4, ymm3, ymm4
vmovdqu ymm3, [rdi + 1536]
vmovdqu [rdi + 1664], ymm7
vpminsd ymm7, ymm1, ymm3
vpmaxsd ymm3, ymm1, ymm3
vmovdqu ymm1, [rdi + 832]
vmovdqu [rdi + 1152], ymm15
vmovdqu ymm15, [rdi + 1856]
vmovdqu [rdi + 320], ymm9
vpminsd ymm9, ymm1, ymm15
vpmaxsd ymm15, ymm1, ymm15
vmovdqu ymm1, [rdi + 1344]
vmovdqu [rdi + 384], ymm2
vpminsd ymm2, ymm9, ymm1
vpmaxsd ymm1, ymm9, ymm1
vmovdqu ymm9, [rdi + 1088]
vmovdqu [rdi + 1728], ymm5
vpminsd ymm5, ymm2, ymm9
vpmaxsd ymm9, ymm2, ymm9
vpminsd ymm2, ymm0, ymm5
vpmaxsd ymm5, ymm0, ymm5
vpminsd ymm0, ymm2, ymm6
vpmaxsd ymm6, ymm2, ymm6
vmovdqu ymm2, [rdi + 1600]
vmovdqu [rdi + 1216], ymm11
vpminsd ymm11, ymm1, ymm2
vpmaxsd ymm2, ymm1, ymm2
vmovdqu ymm1, [rdi + 896]
vmovdqu [rdi + 448], ymm13
vmovdqu ymm13, [rdi + 1920]
vmovdqu [rdi + 512], ymm12
vpminsd ymm12, ymm1, ymm13
vpmaxsd ymm13, ymm1, ymm13
vmovdqu ymm1, [rdi + 1408]
vmovdqu [rdi + 1792], ymm10
vpminsd ymm10, ymm12, ymm1
vpmaxsd ymm1, ymm12, ymm1
vmovdqu ymm12, [rdi + 1152]
vmovdqu [rdi + 1024], ymm8
vpminsd ymm8, ymm10, ymm12
vpmaxsd ymm12, ymm10, ymm12
vpminsd ymm10, ymm12, ymm7
vpmaxsd ymm7, ymm12, ymm7
vmovdqu ymm12, [rdi + 1664]
vmovdqu [rdi + 576], ymm14
vpminsd ymm14, ymm1, ymm12
vpmaxsd ymm12, ymm1, ymm12
vpminsd ymm1, ymm14, ymm3
vpmaxsd ymm3, ymm14, ymm3
vmovdqu ymm14, [rdi + 1024]
vmovdqu [rdi + 640], ymm4
vpminsd ymm4, ymm8, ymm14
vpmaxsd ymm14, ymm8, ymm14
vpminsd ymm8, ymm5, ymm4
vpmaxsd ymm4, ymm5, ymm4
vmovdqu ymm5, [rdi + 1792]
vmovdqu [rdi + 1856], ymm15
vpminsd ymm15, ymm12, ymm5
vpmaxsd ymm5, ymm12, ymm5
vmovdqu ymm12, [rdi + 960]
vmovdqu [rdi + 1088], ymm9
vmovdqu ymm9, [rdi + 1984]
vmovdqu [rdi + 704], ymm0
vpminsd ymm0, ymm12, ymm9
vpmaxsd ymm9, ymm12, ymm9
vmovdqu ymm12, [rdi + 1472]
vmovdqu [rdi + 768], ymm6
vpminsd ymm6, ymm0, ymm12
vpmaxsd ymm12, ymm0, ymm12
vmovdqu ymm0, [rdi + 1216]
vmovdqu [rdi + 1344], ymm11
vpminsd ymm11, ymm6, ymm0
vpmaxsd ymm0, ymm6, ymm0
vmovdqu ymm6, [rdi + 1728]
vmovdqu [rdi + 1600], ymm2
vpminsd ymm2, ymm12, ymm6
vpmaxsd ymm6, ymm12, ymm6
vmovdqu ymm12, [rdi + 1088]
vmovdqu [rdi + 1920], ymm13
vpminsd ymm13, ymm11, ymm12
vpmaxsd ymm12, ymm11, ymm12
vpminsd ymm11, ymm13, ymm14
vpmaxsd ymm14, ymm13, ymm14
vpminsd ymm13, ymm12, ymm10
vpmaxsd ymm10, ymm12, ymm10
vmovdqu ymm12, [rdi + 1344]
vmovdqu [rdi + 1280], ymm7
vpminsd ymm7, ymm0, ymm12
vpmaxsd ymm12, ymm0, ymm12
vpminsd ymm0, ymm12, ymm1
vpmaxsd ymm1, ymm12, ymm1
vmovdqu ymm12, [rdi + 1600]
vmovdqu [rdi + 1536], ymm3
vpminsd ymm3, ymm2, ymm12
vpmaxsd ymm12, ymm2, ymm12
vpminsd ymm2, ymm12, ymm15
vpmaxsd ymm15, ymm12, ymm15
vmovdqu ymm12, [rdi + 1856]
vmovdqu [rdi + 832], ymm8
vpminsd ymm8, ymm6, ymm12
vpmaxsd ymm12, ymm6, ymm12
vpminsd ymm6, ymm8, ymm5
vpmaxsd ymm5, ymm8, ymm5
vmovdqu ymm8, [rdi + 1280]
vmovdqu [rdi + 896], ymm4
vpminsd ymm4, ymm7, ymm8
vpmaxsd ymm8, ymm7, ymm8
vmovdqu ymm7, [rdi + 1536]
vmovdqu [rdi + 1984], ymm9
vpminsd ymm9, ymm3, ymm7
vpmaxsd ymm7, ymm3, ymm7
vmovdqu ymm3, [rdi + 1920]
vmovdqu [rdi + 960], ymm11
vpminsd ymm11, ymm12, ymm3
vpmaxsd ymm3, ymm12, ymm3
vmovdqu ymm12, [rdi + 2496]
vmovdqu [rdi + 1024], ymm14
vmovdqu ymm14, [rdi + 3520]
vmovdqu [rdi + 1088], ymm13
vpminsd ymm13, ymm12, ymm14
vpmaxsd ymm14, ymm12, ymm14
vmovdqu ymm12, [rdi + 2624]
vmovdqu [rdi + 1152], ymm10
vmovdqu ymm10, [rdi + 3648]
vmovdqu [rdi + 1344], ymm0
vpminsd ymm0, ymm12, ymm10
vpmaxsd ymm10, ymm12, ymm10
vmovdqu ymm12, [rdi + 3136]
vmovdqu [rdi + 1408], ymm1
vpminsd ymm1, ymm0, ymm12
vpmaxsd ymm12, ymm0, ymm12
vmovdqu ymm0, [rdi + 2368]
vmovdqu [rdi + 1600], ymm2
vpminsd ymm2, ymm0, ymm1
vpmaxsd ymm1, ymm0, ymm1
vmovdqu ymm0, [rdi + 2240]
vmovdqu [rdi + 1664], ymm15
vpminsd ymm15, ymm0, ymm2
vpmaxsd ymm2, ymm0, ymm2
vmovdqu ymm0, [rdi + 2304]
vmovdqu [rdi + 1728], ymm6
vpminsd ymm6, ymm15, ymm0
vpmaxsd ymm0, ymm15, ymm0
vmovdqu ymm15, [rdi + 192]
vpmaxsd ymm6, ymm15, ymm6
vmovdqu [rdi + 1792], ymm5
vmovdqu ymm5, [rdi + 256]
vpmaxsd ymm0, ymm5, ymm0
vmovdqu [rdi + 1216], ymm4
vmovdqu ymm4, [rdi + 2688]
vmovdqu [rdi + 1280], ymm8
vmovdqu ymm8, [rdi + 3712]
vmovdqu [rdi + 1472], ymm9
vpminsd ymm9, ymm4, ymm8
vpmaxsd ymm8, ymm4, ymm8
vmovdqu ymm4, [rdi + 3200]
vmovdqu [rdi + 1536], ymm7
vpminsd ymm7, ymm9, ymm4
vpmaxsd ymm4, ymm9, ymm4
vmovdqu ymm9, [rdi + 2432]
vmovdqu [rdi + 1856], ymm11
vpminsd ymm11, ymm9, ymm7
vpmaxsd ymm7, ymm9, ymm7
vmovdqu ymm9, [rdi + 2560]
vmovdqu [rdi + 1920], ymm3
vpminsd ymm3, ymm11, ymm9
vpmaxsd ymm9, ymm11, ymm9
vpminsd ymm11, ymm2, ymm3
vpmaxsd ymm3, ymm2, ymm3
vmovdqu ymm2, [rdi + 320]
vpmaxsd ymm11, ymm2, ymm11
vmovdqu [rdi + 2496], ymm13
vmovdqu ymm13, [rdi + 384]
vpmaxsd ymm3, ymm13, ymm3
vmovdqu [rdi + 3520], ymm14
vmovdqu ymm14, [rdi + 2752]
vmovdqu [rdi + 3648], ymm10
vmovdqu ymm10, [rdi + 3776]
vmovdqu [rdi + 3136], ymm12
vpminsd ymm12, ymm14, ymm10
vpmaxsd ymm10, ymm14, ymm10
vmovdqu ymm14, [rdi + 3264]
vmovdqu [rdi + 2624], ymm1
vpminsd ymm1, ymm12, ymm14
vpmaxsd ymm14, ymm12, ymm14
vmovdqu ymm12, [rdi + 2496]
vpminsd ymm15, ymm12, ymm1
vpmaxsd ymm1, ymm12, ymm1
vmovdqu ymm12, [rdi + 2624]
vmovdqu [rdi + 2240], ymm6
vpminsd ymm6, ymm15, ymm12
vpmaxsd ymm12, ymm15, ymm12
vpminsd ymm15, ymm6, ymm9
vpmaxsd ymm9, ymm6, ymm9
vmovdqu ymm6, [rdi + 448]
vpmaxsd ymm15, ymm6, ymm15
vmovdqu ymm5, [rdi + 512]
vpmaxsd ymm9, ymm5, ymm9
vmovdqu [rdi + 2304], ymm0
vmovdqu ymm0, [rdi + 2816]
vmovdqu [rdi + 3712], ymm8
vmovdqu ymm8, [rdi + 3840]
vmovdqu [rdi + 3200], ymm4
vpminsd ymm4, ymm0, ymm8
vpmaxsd ymm8, ymm0, ymm8
vmovdqu ymm0, [rdi + 3328]
vmovdqu [rdi + 2688], ymm7
vpminsd ymm7, ymm4, ymm0
vpmaxsd ymm0, ymm4, ymm0
vmovdqu ymm4, [rdi + 3072]
vpminsd ymm2, ymm7, ymm4
vpmaxsd ymm4, ymm7, ymm4
vmovdqu ymm7, [rdi + 3584]
vmovdqu [rdi + 2368], ymm11
vpminsd ymm11, ymm0, ymm7
vpmaxsd ymm7, ymm0, ymm7
vmovdqu ymm0, [rdi + 2688]
vpminsd ymm13, ymm0, ymm2
vpmaxsd ymm2, ymm0, ymm2
vpminsd ymm0, ymm12, ymm13
vpmaxsd ymm13, ymm12, ymm13
vmovdqu ymm12, [rdi + 576]
vpmaxsd ymm0, ymm12, ymm0
vmovdqu [rdi + 2432], ymm3
vmovdqu ymm3, [rdi + 640]
vpmaxsd ymm13, ymm3, ymm13
vmovdqu [rdi + 3776], ymm10
vmovdqu ymm10, [rdi + 2880]
vmovdqu [rdi + 3264], ymm14
vmovdqu ymm14, [rdi + 3904]
vmovdqu [rdi + 2752], ymm1
vpminsd ymm1, ymm10, ymm14
vpmaxsd ymm14, ymm10, ymm14
vmovdqu ymm10, [rdi + 3392]
vpminsd ymm6, ymm1, ymm10
vpmaxsd ymm10, ymm1, ymm10
vmovdqu ymm1, [rdi + 3136]
vmovdqu [rdi + 2496], ymm15
vpminsd ymm15, ymm6, ymm1
vpmaxsd ymm1, ymm6, ymm1
vmovdqu ymm6, [rdi + 3648]
vpminsd ymm5, ymm10, ymm6
vpmaxsd ymm6, ymm10, ymm6
vmovdqu ymm10, [rdi + 2752]
vmovdqu [rdi + 2560], ymm9
vpminsd ymm9, ymm10, ymm15
vpmaxsd ymm15, ymm10, ymm15
vpminsd ymm10, ymm9, ymm2
vpmaxsd ymm2, ymm9, ymm2
vmovdqu ymm9, [rdi + 704]
vpmaxsd ymm10, ymm9, ymm10
vmovdqu [rdi + 3840], ymm8
vmovdqu ymm8, [rdi + 768]
vpmaxsd ymm2, ymm8, ymm2
vmovdqu [rdi + 3072], ymm4
vmovdqu ymm4, [rdi + 2944]
vmovdqu [rdi + 3328], ymm11
vmovdqu ymm11, [rdi + 3968]
vmovdqu [rdi + 3584], ymm7
vpminsd ymm7, ymm4, ymm11
vpmaxsd ymm11, ymm4, ymm11
vmovdqu ymm4, [rdi + 3456]
vpminsd ymm12, ymm7, ymm4
vpmaxsd ymm4, ymm7, ymm4
vmovdqu ymm7, [rdi + 3200]
vmovdqu [rdi + 2624], ymm0
vpminsd ymm0, ymm12, ymm7
vpmaxsd ymm7, ymm12, ymm7
vmovdqu ymm12, [rdi + 3712]
vpminsd ymm3, ymm4, ymm12
vpmaxsd ymm12, ymm4, ymm12
vmovdqu ymm4, [rdi + 3072]
vmovdqu [rdi + 2688], ymm13
vpminsd ymm13, ymm0, ymm4
vpmaxsd ymm4, ymm0, ymm4
vpminsd ymm0, ymm15, ymm13
vpmaxsd ymm13, ymm15, ymm13
vmovdqu ymm15, [rdi + 3328]
vmovdqu [rdi + 3904], ymm14
vpminsd ymm14, ymm7, ymm15
vpmaxsd ymm15, ymm7, ymm15
vmovdqu ymm7, [rdi + 3584]
vmovdqu [rdi + 3136], ymm1
vpminsd ymm1, ymm3, ymm7
vpmaxsd ymm7, ymm3, ymm7
vmovdqu ymm3, [rdi + 3840]
vmovdqu [rdi + 3392], ymm5
vpminsd ymm5, ymm12, ymm3
vpmaxsd ymm3, ymm12, ymm3
vmovdqu ymm12, [rdi + 832]
vpmaxsd ymm0, ymm12, ymm0
vmovdqu [rdi + 3648], ymm6
vmovdqu ymm6, [rdi + 896]
vpminsd ymm9, ymm6, ymm13
vpmaxsd ymm13, ymm6, ymm13
vmovdqu ymm6, [rdi + 3008]
vmovdqu [rdi + 2752], ymm10
vmovdqu ymm10, [rdi + 4032]
vpminsd ymm8, ymm6, ymm10
vpmaxsd ymm10, ymm6, ymm10
vmovdqu ymm6, [rdi + 3520]
vmovdqu [rdi + 2816], ymm2
vpminsd ymm2, ymm8, ymm6
vpmaxsd ymm6, ymm8, ymm6
vmovdqu ymm8, [rdi + 3264]
vmovdqu [rdi + 3968], ymm11
vpminsd ymm11, ymm2, ymm8
vpmaxsd ymm8, ymm2, ymm8
vmovdqu ymm2, [rdi + 3776]
vmovdqu [rdi + 3072], ymm4
vpminsd ymm4, ymm6, ymm2
vpmaxsd ymm2, ymm6, ymm2
vmovdqu ymm6, [rdi + 3136]
vmovdqu [rdi + 3200], ymm14
vpminsd ymm14, ymm11, ymm6
vpmaxsd ymm6, ymm11, ymm6
vmovdqu ymm11, [rdi + 3392]
vmovdqu [rdi + 3328], ymm15
vpminsd ymm15, ymm8, ymm11
vpmaxsd ymm11, ymm8, ymm11
vpminsd ymm8, ymm11, ymm1
vpmaxsd ymm1, ymm11, ymm1
vmovdqu ymm11, [rdi + 3648]
vmovdqu [rdi + 3584], ymm7
vpminsd ymm7, ymm4, ymm11
vpmaxsd ymm11, ymm4, ymm11
vpminsd ymm4, ymm11, ymm5
vpmaxsd ymm5, ymm11, ymm5
vmovdqu ymm11, [rdi + 3904]
vmovdqu [rdi + 3840], ymm3
vpminsd ymm3, ymm2, ymm11
vpmaxsd ymm11, ymm2, ymm11
vmovdqu ymm2, [rdi + 3072]
vpminsd ymm12, ymm14, ymm2
vpmaxsd ymm2, ymm14, ymm2
vmovdqu ymm14, [rdi + 3200]
vmovdqu [rdi + 2880], ymm0
vpminsd ymm0, ymm6, ymm14
vpmaxsd ymm14, ymm6, ymm14
vmovdqu ymm6, [rdi + 3328]
vmovdqu [rdi + 896], ymm9
vpminsd ymm9, ymm15, ymm6
vpmaxsd ymm6, ymm15, ymm6
vmovdqu ymm15, [rdi + 3584]
vmovdqu [rdi + 2944], ymm13
vpminsd ymm13, ymm7, ymm15
vpmaxsd ymm15, ymm7, ymm15
vmovdqu ymm7, [rdi + 3840]
vmovdqu [rdi + 4032], ymm10
vpminsd ymm10, ymm3, ymm7
vpmaxsd ymm7, ymm3, ymm7
vmovdqu ymm3, [rdi + 3968]
vmovdqu [rdi + 3392], ymm8
vpminsd ymm8, ymm11, ymm3
vpmaxsd ymm3, ymm11, ymm3
vmovdqu ymm11, [rdi + 960]
vmovdqu [rdi + 3456], ymm1
vpminsd ymm1, ymm11, ymm12
vpmaxsd ymm12, ymm11, ymm12
vmovdqu ymm11, [rdi + 1024]
vpminsd ymm11, ymm11, ymm2
vmovdqu [rdi + 3648], ymm4
vmovdqu ymm4, [rdi + 1088]
vpminsd ymm4, ymm4, ymm0
vmovdqu [rdi + 3712], ymm5
vmovdqu ymm5, [rdi + 1152]
vpminsd ymm5, ymm5, ymm14
vmovdqu [rdi + 3264], ymm9
vmovdqu ymm9, [rdi + 1216]
vmovdqu [rdi + 3328], ymm6
vmovdqu ymm6, [rdi + 3264]
vpminsd ymm9, ymm9, ymm6
vmovdqu [rdi + 3520], ymm13
vmovdqu ymm13, [rdi + 1472]
vmovdqu [rdi + 3584], ymm15
vmovdqu ymm15, [rdi + 3520]
vpminsd ymm13, ymm13, ymm15
vmovdqu [rdi + 3776], ymm10
vmovdqu ymm10, [rdi + 1728]
vmovdqu [rdi + 3840], ymm7
vmovdqu ymm7, [rdi + 3776]
vpminsd ymm10, ymm10, ymm7
vmovdqu [rdi + 3904], ymm8
vmovdqu ymm8, [rdi + 1856]
vmovdqu [rdi + 3968], ymm3
vmovdqu ymm3, [rdi + 3904]
vpminsd ymm8, ymm8, ymm3
vmovdqu [rdi + 960], ymm1
vmovdqu ymm1, [rdi + 2112]
vpmaxsd ymm1, ymm4, ymm1
vmovdqu [rdi + 3008], ymm12
vmovdqu ymm12, [rdi + 2176]
vpmaxsd ymm12, ymm5, ymm12
vmovdqu [rdi + 1024], ymm11
vmovdqu ymm11, [rdi + 2240]
vpmaxsd ymm11, ymm9, ymm11
vmovdqu [rdi + 3072], ymm2
vmovdqu ymm2, [rdi + 2496]
vmovdqu [rdi + 3136], ymm0
vpminsd ymm0, ymm13, ymm2
vpmaxsd ymm2, ymm13, ymm2
vmovdqu ymm13, [rdi + 2752]
vpminsd ymm10, ymm10, ymm13
vmovdqu [rdi + 3200], ymm14
vpminsd ymm14, ymm10, ymm11
vpmaxsd ymm11, ymm10, ymm11
vmovdqu ymm10, [rdi + 2880]
vpminsd ymm8, ymm8, ymm10
vmovdqu ymm6, [rdi + 960]
vpmaxsd ymm0, ymm6, ymm0
vpmaxsd ymm14, ymm0, ymm14
vmovdqu ymm15, [rdi + 0]
vmovdqu ymm7, [rdi + 2048]
vpmaxsd ymm7, ymm15, ymm7
vmovdqu ymm3, [rdi + 1024]
vpmaxsd ymm7, ymm3, ymm7
vmovdqu [rdi + 1088], ymm4
vmovdqu ymm4, [rdi + 1280]
vmovdqu [rdi + 2112], ymm1
vmovdqu ymm1, [rdi + 3328]
vpminsd ymm4, ymm4, ymm1
vmovdqu [rdi + 1152], ymm5
vmovdqu ymm5, [rdi + 2304]
vpmaxsd ymm5, ymm4, ymm5
vmovdqu [rdi + 2176], ymm12
vmovdqu ymm12, [rdi + 1344]
vmovdqu [rdi + 1216], ymm9
vmovdqu ymm9, [rdi + 3392]
vpminsd ymm12, ymm12, ymm9
vmovdqu [rdi + 2496], ymm2
vmovdqu ymm2, [rdi + 2368]
vpmaxsd ymm2, ymm12, ymm2
vpminsd ymm8, ymm8, ymm2
vmovdqu ymm13, [rdi + 1408]
vmovdqu [rdi + 2240], ymm11
vmovdqu ymm11, [rdi + 3456]
vpminsd ymm13, ymm13, ymm11
vmovdqu ymm10, [rdi + 2432]
vpminsd ymm6, ymm13, ymm10
vpmaxsd ymm10, ymm13, ymm10
vmovdqu ymm13, [rdi + 896]
vpmaxsd ymm6, ymm13, ymm6
vmovdqu [rdi + 1472], ymm0
vmovdqu ymm0, [rdi + 1536]
vmovdqu [rdi + 1728], ymm14
vmovdqu ymm14, [rdi + 3584]
vpminsd ymm0, ymm0, ymm14
vmovdqu ymm15, [rdi + 2560]
vpminsd ymm0, ymm0, ymm15
vpmaxsd ymm7, ymm0, ymm7
vmovdqu ymm3, [rdi + 1600]
vmovdqu ymm1, [rdi + 3648]
vpminsd ymm3, ymm3, ymm1
vmovdqu [rdi + 1280], ymm4
vmovdqu ymm4, [rdi + 2624]
vpminsd ymm3, ymm3, ymm4
vmovdqu [rdi + 2304], ymm5
vmovdqu ymm5, [rdi + 2112]
vpmaxsd ymm5, ymm3, ymm5
vpminsd ymm9, ymm8, ymm5
vpmaxsd ymm5, ymm8, ymm5
vmovdqu ymm8, [rdi + 1728]
vmovdqu [rdi + 1344], ymm12
vpminsd ymm12, ymm8, ymm9
vpmaxsd ymm9, ymm8, ymm9
vmovdqu ymm8, [rdi + 1664]
vmovdqu [rdi + 2368], ymm2
vmovdqu ymm2, [rdi + 3712]
vpminsd ymm8, ymm8, ymm2
vmovdqu ymm11, [rdi + 2688]
vpminsd ymm8, ymm8, ymm11
vmovdqu [rdi + 2432], ymm10
vmovdqu ymm10, [rdi + 2176]
vpminsd ymm13, ymm8, ymm10
vpmaxsd ymm10, ymm8, ymm10
vpmaxsd ymm13, ymm6, ymm13
vmovdqu ymm8, [rdi + 1792]
vmovdqu ymm14, [rdi + 3840]
vpminsd ymm8, ymm8, ymm14
vmovdqu ymm15, [rdi + 2816]
vpminsd ymm8, ymm8, ymm15
vmovdqu [rdi + 1536], ymm0
vmovdqu ymm0, [rdi + 2304]
vpminsd ymm8, ymm8, ymm0
vpminsd ymm1, ymm8, ymm7
vpmaxsd ymm7, ymm8, ymm7
vpmaxsd ymm1, ymm13, ymm1
vpmaxsd ymm1, ymm12, ymm1
vmovdqu ymm8, [rdi + 1920]
vmovdqu ymm4, [rdi + 3968]
vpminsd ymm8, ymm8, ymm4
vmovdqu [rdi + 1600], ymm3
vmovdqu ymm3, [rdi + 2944]
vpminsd ymm8, ymm8, ymm3
vmovdqu [rdi + 2112], ymm5
vmovdqu ymm5, [rdi + 2432]
vpminsd ymm8, ymm8, ymm5
vpminsd ymm8, ymm8, ymm10
vmovdqu [rdi + 1856], ymm9
vpminsd ymm9, ymm8, ymm7
vpmaxsd ymm7, ymm8, ymm7
vmovdqu ymm8, [rdi + 1856]
vpminsd ymm2, ymm8, ymm9
vpmaxsd ymm9, ymm8, ymm9
vmovdqu ymm8, [rdi + 1984]
vmovdqu ymm11, [rdi + 4032]
vpminsd ymm8, ymm8, ymm11
vmovdqu [rdi + 1408], ymm6
vmovdqu ymm6, [rdi + 3008]
vpminsd ymm8, ymm8, ymm6
vmovdqu ymm14, [rdi + 2496]
vpminsd ymm8, ymm8, ymm14
vmovdqu ymm15, [rdi + 2240]
vpminsd ymm8, ymm8, ymm15
vmovdqu ymm0, [rdi + 2112]
vpminsd ymm8, ymm8, ymm0
vmovdqu [rdi + 1664], ymm13
vpminsd ymm13, ymm8, ymm7
vpmaxsd ymm7, ymm8, ymm7
vmovdqu [rdi + 1792], ymm1
vmovdqu [rdi + 1856], ymm2
vmovdqu [rdi + 2048], ymm7
vmovdqu [rdi + 1920], ymm9
vmovdqu [rdi + 2176], ymm10
vmovdqu [rdi + 1728], ymm12
vmovdqu [rdi + 1984], ymm13
vmovdqu ymm0, [rdi + 32]
vmovdqu ymm1, [rdi + 96]
vpminsd ymm2, ymm0, ymm1
vpmaxsd ymm1, ymm0, ymm1
vmovdqu ymm0, [rdi + 160]
vmovdqu ymm3, [rdi + 224]
vpminsd ymm4, ymm0, ymm3
vpmaxsd ymm3, ymm0, ymm3
vpminsd ymm0, ymm2, ymm4
vpmaxsd ymm4, ymm2, ymm4
vpminsd ymm2, ymm1, ymm3
vpmaxsd ymm3, ymm1, ymm3
vpminsd ymm1, ymm2, ymm4
vpmaxsd ymm4, ymm2, ymm4
vmovdqu ymm2, [rdi + 288]
vmovdqu ymm5, [rdi + 352]
vpminsd ymm6, ymm2, ymm5
vpmaxsd ymm5, ymm2, ymm5
vmovdqu ymm2, [rdi + 416]
vmovdqu ymm7, [rdi + 480]
vpminsd ymm8, ymm2, ymm7
vpmaxsd ymm7, ymm2, ymm7
vpminsd ymm2, ymm6, ymm8
vpmaxsd ymm8, ymm6, ymm8
vpminsd ymm6, ymm5, ymm7
vpmaxsd ymm7, ymm5, ymm7
vpminsd ymm5, ymm6, ymm8
vpmaxsd ymm8, ymm6, ymm8
vpminsd ymm6, ymm0, ymm2
vpmaxsd ymm2, ymm0, ymm2
vpminsd ymm0, ymm1, ymm5
vpmaxsd ymm5, ymm1, ymm5
vpminsd ymm1, ymm4, ymm8
vpmaxsd ymm8, ymm4, ymm8
vpminsd ymm4, ymm3, ymm7
vpmaxsd ymm7, ymm3, ymm7
vpminsd ymm3, ymm1, ymm2
vpmaxsd ymm2, ymm1, ymm2
vpminsd ymm1, ymm4, ymm5
vpmaxsd ymm5, ymm4, ymm5
vpminsd ymm4, ymm0, ymm3
vpmaxsd ymm3, ymm0, ymm3
vpminsd ymm0, ymm1, ymm2
vpmaxsd ymm2, ymm1, ymm2
vpminsd ymm1, ymm5, ymm8
vpmaxsd ymm8, ymm5, ymm8
vmovdqu ymm5, [rdi + 544]
vmovdqu ymm9, [rdi + 608]
vpminsd ymm10, ymm5, ymm9
vpmaxsd ymm9, ymm5, ymm9
vmovdqu ymm5, [rdi + 672]
vmovdqu ymm11, [rdi + 736]
vpminsd ymm12, ymm5, ymm11
vpmaxsd ymm11, ymm5, ymm11
vpminsd ymm5, ymm10, ymm12
vpmaxsd ymm12, ymm10, ymm12
vpminsd ymm10, ymm9, ymm11
vpmaxsd ymm11, ymm9, ymm11
vpminsd ymm9, ymm10, ymm12
vpmaxsd ymm12, ymm10, ymm12
vmovdqu ymm10, [rdi + 800]
vmovdqu ymm13, [rdi + 864]
vpminsd ymm14, ymm10, ymm13
vpmaxsd ymm13, ymm10, ymm13
vmovdqu ymm10, [rdi + 928]
vmovdqu ymm15, [rdi + 992]
vmovdqu [rdi + 32], ymm6
vpminsd ymm6, ymm10, ymm15
vpmaxsd ymm15, ymm10, ymm15
vpminsd ymm10, ymm14, ymm6
vpmaxsd ymm6, ymm14, ymm6
vpminsd ymm14, ymm13, ymm15
vpmaxsd ymm15, ymm13, ymm15
vpminsd ymm13, ymm14, ymm6
vpmaxsd ymm6, ymm14, ymm6
vpminsd ymm14, ymm5, ymm10
vpmaxsd ymm10, ymm5, ymm10
vpminsd ymm5, ymm9, ymm13
vpmaxsd ymm13, ymm9, ymm13
vpminsd ymm9, ymm12, ymm6
vpmaxsd ymm6, ymm12, ymm6
vpminsd ymm12, ymm11, ymm15
vpmaxsd ymm15, ymm11, ymm15
vpminsd ymm11, ymm9, ymm10
vpmaxsd ymm10, ymm9, ymm10
vpminsd ymm9, ymm12, ymm13
vpmaxsd ymm13, ymm12, ymm13
vpminsd ymm12, ymm5, ymm11
vpmaxsd ymm11, ymm5, ymm11
vpminsd ymm5, ymm9, ymm10
vpmaxsd ymm10, ymm9, ymm10
vpminsd ymm9, ymm13, ymm6
vpmaxsd ymm6, ymm13, ymm6
vpminsd ymm13, ymm4, ymm12
vpmaxsd ymm12, ymm4, ymm12
vpminsd ymm4, ymm3, ymm11
vpmaxsd ymm11, ymm3, ymm11
vpminsd ymm3, ymm0, ymm5
vpmaxsd ymm5, ymm0, ymm5
vpminsd ymm0, ymm2, ymm10
vpmaxsd ymm10, ymm2, ymm10
vpminsd ymm2, ymm1, ymm9
vpmaxsd ymm9, ymm1, ymm9
vpminsd ymm1, ymm8, ymm6
vpmaxsd ymm6, ymm8, ymm6
vpminsd ymm8, ymm7, ymm15
vpmaxsd ymm15, ymm7, ymm15
vpminsd ymm7, ymm2, ymm12
vpmaxsd ymm12, ymm2, ymm12
vpminsd ymm2, ymm1, ymm11
vpmaxsd ymm11, ymm1, ymm11
vpminsd ymm1, ymm8, ymm5
vpmaxsd ymm5, ymm8, ymm5
vpminsd ymm8, ymm3, ymm7
vpmaxsd ymm7, ymm3, ymm7
vpminsd ymm3, ymm1, ymm12
vpmaxsd ymm12, ymm1, ymm12
vpminsd ymm1, ymm11, ymm10
vpmaxsd ymm10, ymm11, ymm10
vpminsd ymm11, ymm5, ymm9
vpmaxsd ymm9, ymm5, ymm9
vpminsd ymm5, ymm12, ymm1
vpmaxsd ymm1, ymm12, ymm1
vpminsd ymm12, ymm11, ymm10
vpmaxsd ymm10, ymm11, ymm10
vpminsd ymm11, ymm9, ymm6
vpmaxsd ymm6, ymm9, ymm6
vmovdqu ymm9, [rdi + 32]
vmovdqu [rdi + 96], ymm13
vpminsd ymm13, ymm9, ymm14
vpmaxsd ymm14, ymm9, ymm14
vpminsd ymm9, ymm0, ymm14
vpmaxsd ymm14, ymm0, ymm14
vpminsd ymm0, ymm4, ymm9
vpmaxsd ymm9, ymm4, ymm9
vpminsd ymm4, ymm2, ymm14
vpmaxsd ymm14, ymm2, ymm14
vpminsd ymm2, ymm8, ymm9
vpmaxsd ymm9, ymm8, ymm9
vpminsd ymm8, ymm7, ymm4
vpmaxsd ymm4, ymm7, ymm4
vpminsd ymm7, ymm3, ymm14
vpmaxsd ymm14, ymm3, ymm14
vmovdqu ymm3, [rdi + 96]
vmovdqu [rdi + 992], ymm15
vpminsd ymm15, ymm3, ymm0
vpmaxsd ymm0, ymm3, ymm0
vmovdqu ymm3, [rdi + 1056]
vmovdqu [rdi + 608], ymm5
vmovdqu ymm5, [rdi + 1120]
vmovdqu [rdi + 672], ymm1
vpminsd ymm1, ymm3, ymm5
vpmaxsd ymm5, ymm3, ymm5
vmovdqu ymm3, [rdi + 1184]
vmovdqu [rdi + 736], ymm12
vmovdqu ymm12, [rdi + 1248]
vmovdqu [rdi + 800], ymm10
vpminsd ymm10, ymm3, ymm12
vpmaxsd ymm12, ymm3, ymm12
vpminsd ymm3, ymm1, ymm10
vpmaxsd ymm10, ymm1, ymm10
vpminsd ymm1, ymm5, ymm12
vpmaxsd ymm12, ymm5, ymm12
vpminsd ymm5, ymm1, ymm10
vpmaxsd ymm10, ymm1, ymm10
vmovdqu ymm1, [rdi + 1312]
vmovdqu [rdi + 864], ymm11
vmovdqu ymm11, [rdi + 1376]
vmovdqu [rdi + 928], ymm6
vpminsd ymm6, ymm1, ymm11
vpmaxsd ymm11, ymm1, ymm11
vmovdqu ymm1, [rdi + 1440]
vmovdqu [rdi + 32], ymm13
vmovdqu ymm13, [rdi + 1504]
vmovdqu [rdi + 224], ymm2
vpminsd ymm2, ymm1, ymm13
vpmaxsd ymm13, ymm1, ymm13
vpminsd ymm1, ymm6, ymm2
vpmaxsd ymm2, ymm6, ymm2
vpminsd ymm6, ymm11, ymm13
vpmaxsd ymm13, ymm11, ymm13
vpminsd ymm11, ymm6, ymm2
vpmaxsd ymm2, ymm6, ymm2
vpminsd ymm6, ymm3, ymm1
vpmaxsd ymm1, ymm3, ymm1
vpminsd ymm3, ymm5, ymm11
vpmaxsd ymm11, ymm5, ymm11
vpminsd ymm5, ymm10, ymm2
vpmaxsd ymm2, ymm10, ymm2
vpminsd ymm10, ymm12, ymm13
vpmaxsd ymm13, ymm12, ymm13
vpminsd ymm12, ymm5, ymm1
vpmaxsd ymm1, ymm5, ymm1
vpminsd ymm5, ymm10, ymm11
vpmaxsd ymm11, ymm10, ymm11
vpminsd ymm10, ymm3, ymm12
vpmaxsd ymm12, ymm3, ymm12
vpminsd ymm3, ymm5, ymm1
vpmaxsd ymm1, ymm5, ymm1
vpminsd ymm5, ymm11, ymm2
vpmaxsd ymm2, ymm11, ymm2
vmovdqu ymm11, [rdi + 1568]
vmovdqu [rdi + 288], ymm9
vmovdqu ymm9, [rdi + 1632]
vmovdqu [rdi + 352], ymm8
vpminsd ymm8, ymm11, ymm9
vpmaxsd ymm9, ymm11, ymm9
vmovdqu ymm11, [rdi + 1696]
vmovdqu [rdi + 416], ymm4
vmovdqu ymm4, [rdi + 1760]
vmovdqu [rdi + 480], ymm7
vpminsd ymm7, ymm11, ymm4
vpmaxsd ymm4, ymm11, ymm4
vpminsd ymm11, ymm8, ymm7
vpmaxsd ymm7, ymm8, ymm7
vpminsd ymm8, ymm9, ymm4
vpmaxsd ymm4, ymm9, ymm4
vpminsd ymm9, ymm8, ymm7
vpmaxsd ymm7, ymm8, ymm7
vmovdqu ymm8, [rdi + 1824]
vmovdqu [rdi + 544], ymm14
vmovdqu ymm14, [rdi + 1888]
vmovdqu [rdi + 96], ymm15
vpminsd ymm15, ymm8, ymm14
vpmaxsd ymm14, ymm8, ymm14
vmovdqu ymm8, [rdi + 1952]
vmovdqu [rdi + 160], ymm0
vmovdqu ymm0, [rdi + 2016]
vmovdqu [rdi + 1056], ymm6
vpminsd ymm6, ymm8, ymm0
vpmaxsd ymm0, ymm8, ymm0
vpminsd ymm8, ymm15, ymm6
vpmaxsd ymm6, ymm15, ymm6
vpminsd ymm15, ymm14, ymm0
vpmaxsd ymm0, ymm14, ymm0
vpminsd ymm14, ymm15, ymm6
vpmaxsd ymm6, ymm15, ymm6
vpminsd ymm15, ymm11, ymm8
vpmaxsd ymm8, ymm11, ymm8
vpminsd ymm11, ymm9, ymm14
vpmaxsd ymm14, ymm9, ymm14
vpminsd ymm9, ymm7, ymm6
vpmaxsd ymm6, ymm7, ymm6
vpminsd ymm7, ymm4, ymm0
vpmaxsd ymm0, ymm4, ymm0
vpminsd ymm4, ymm9, ymm8
vpmaxsd ymm8, ymm9, ymm8
vpminsd ymm9, ymm7, ymm14
vpmaxsd ymm14, ymm7, ymm14
vpminsd ymm7, ymm11, ymm4
vpmaxsd ymm4, ymm11, ymm4
vpminsd ymm11, ymm9, ymm8
vpmaxsd ymm8, ymm9, ymm8
vpminsd ymm9, ymm14, ymm6
vpmaxsd ymm6, ymm14, ymm6
vpminsd ymm14, ymm10, ymm7
vpmaxsd ymm7, ymm10, ymm7
vpminsd ymm10, ymm12, ymm4
vpmaxsd ymm4, ymm12, ymm4
vpminsd ymm12, ymm3, ymm11
vpmaxsd ymm11, ymm3, ymm11
vpminsd ymm3, ymm1, ymm8
vpmaxsd ymm8, ymm1, ymm8
vpminsd ymm1, ymm5, ymm9
vpmaxsd ymm9, ymm5, ymm9
vpminsd ymm5, ymm2, ymm6
vpmaxsd ymm6, ymm2, ymm6
vpminsd ymm2, ymm13, ymm0
vpmaxsd ymm0, ymm13, ymm0
vpminsd ymm13, ymm1, ymm7
vpmaxsd ymm7, ymm1, ymm7
vpminsd ymm1, ymm5, ymm4
vpmaxsd ymm4, ymm5, ymm4
vpminsd ymm5, ymm2, ymm11
vpmaxsd ymm11, ymm2, ymm11
vpminsd ymm2, ymm12, ymm13
vpmaxsd ymm13, ymm12, ymm13
vpminsd ymm12, ymm5, ymm7
vpmaxsd ymm7, ymm5, ymm7
vpminsd ymm5, ymm4, ymm8
vpmaxsd ymm8, ymm4, ymm8
vpminsd ymm4, ymm11, ymm9
vpmaxsd ymm9, ymm11, ymm9
vpminsd ymm11, ymm7, ymm5
vpmaxsd ymm5, ymm7, ymm5
vpminsd ymm7, ymm4, ymm8
vpmaxsd ymm8, ymm4, ymm8
vpminsd ymm4, ymm9, ymm6
vpmaxsd ymm6, ymm9, ymm6
vmovdqu ymm9, [rdi + 1056]
vmovdqu [rdi + 1120], ymm14
vpminsd ymm14, ymm9, ymm15
vpmaxsd ymm15, ymm9, ymm15
vpminsd ymm9, ymm3, ymm15
vpmaxsd ymm15, ymm3, ymm15
vpminsd ymm3, ymm10, ymm9
vpmaxsd ymm9, ymm10, ymm9
vpminsd ymm10, ymm1, ymm15
vpmaxsd ymm15, ymm1, ymm15
vpminsd ymm1, ymm2, ymm9
vpmaxsd ymm9, ymm2, ymm9
vpminsd ymm2, ymm13, ymm10
vpmaxsd ymm10, ymm13, ymm10
vpminsd ymm13, ymm12, ymm15
vpmaxsd ymm15, ymm12, ymm15
vmovdqu ymm12, [rdi + 1120]
vmovdqu [rdi + 2016], ymm0
vpminsd ymm0, ymm12, ymm3
vpmaxsd ymm3, ymm12, ymm3
vmovdqu ymm12, [rdi + 32]
vmovdqu [rdi + 1632], ymm11
vpminsd ymm11, ymm12, ymm14
vpmaxsd ymm14, ymm12, ymm14
vmovdqu ymm12, [rdi + 96]
vmovdqu [rdi + 1696], ymm5
vpminsd ymm5, ymm12, ymm0
vpmaxsd ymm0, ymm12, ymm0
vmovdqu ymm12, [rdi + 160]
vmovdqu [rdi + 1760], ymm7
vpminsd ymm7, ymm12, ymm3
vpmaxsd ymm3, ymm12, ymm3
vmovdqu ymm12, [rdi + 224]
vmovdqu [rdi + 1824], ymm8
vpminsd ymm8, ymm12, ymm1
vpmaxsd ymm1, ymm12, ymm1
vmovdqu ymm12, [rdi + 288]
vmovdqu [rdi + 1888], ymm4
vpminsd ymm4, ymm12, ymm9
vpmaxsd ymm9, ymm12, ymm9
vmovdqu ymm12, [rdi + 352]
vmovdqu [rdi + 1952], ymm6
vpminsd ymm6, ymm12, ymm2
vpmaxsd ymm2, ymm12, ymm2
vmovdqu ymm12, [rdi + 416]
vmovdqu [rdi + 1504], ymm13
vpminsd ymm13, ymm12, ymm10
vpmaxsd ymm10, ymm12, ymm10
vmovdqu ymm12, [rdi + 544]
vmovdqu [rdi + 32], ymm11
vpminsd ymm11, ymm12, ymm15
vpmaxsd ymm15, ymm12, ymm15
vpminsd ymm12, ymm11, ymm14
vpmaxsd ymm14, ymm11, ymm14
vpminsd ymm11, ymm4, ymm12
vpmaxsd ymm12, ymm4, ymm12
vpminsd ymm4, ymm7, ymm11
vpmaxsd ymm11, ymm7, ymm11
vpminsd ymm7, ymm5, ymm4
vpmaxsd ymm4, ymm5, ymm4
vmovdqu ymm5, [rdi + 2080]
vmovdqu [rdi + 1120], ymm0
vmovdqu ymm0, [rdi + 2144]
vmovdqu [rdi + 1184], ymm3
vpminsd ymm3, ymm5, ymm0
vpmaxsd ymm0, ymm5, ymm0
vmovdqu ymm5, [rdi + 2208]
vmovdqu [rdi + 224], ymm8
vmovdqu ymm8, [rdi + 2272]
vmovdqu [rdi + 1248], ymm1
vpminsd ymm1, ymm5, ymm8
vpmaxsd ymm8, ymm5, ymm8
vpminsd ymm5, ymm3, ymm1
vpmaxsd ymm1, ymm3, ymm1
vpminsd ymm3, ymm0, ymm8
vpmaxsd ymm8, ymm0, ymm8
vpminsd ymm0, ymm3, ymm1
vpmaxsd ymm1, ymm3, ymm1
vmovdqu ymm3, [rdi + 2336]
vmovdqu [rdi + 1312], ymm9
vmovdqu ymm9, [rdi + 2400]
vmovdqu [rdi + 352], ymm6
vpminsd ymm6, ymm3, ymm9
vpmaxsd ymm9, ymm3, ymm9
vmovdqu ymm3, [rdi + 2464]
vmovdqu [rdi + 1376], ymm2
vmovdqu ymm2, [rdi + 2528]
vmovdqu [rdi + 416], ymm13
vpminsd ymm13, ymm3, ymm2
vpmaxsd ymm2, ymm3, ymm2
vpminsd ymm3, ymm6, ymm13
vpmaxsd ymm13, ymm6, ymm13
vpminsd ymm6, ymm9, ymm2
vpmaxsd ymm2, ymm9, ymm2
vpminsd ymm9, ymm6, ymm13
vpmaxsd ymm13, ymm6, ymm13
vpminsd ymm6, ymm5, ymm3
vpmaxsd ymm3, ymm5, ymm3
vpminsd ymm5, ymm0, ymm9
vpmaxsd ymm9, ymm0, ymm9
vpminsd ymm0, ymm1, ymm13
vpmaxsd ymm13, ymm1, ymm13
vpminsd ymm1, ymm8, ymm2
vpmaxsd ymm2, ymm8, ymm2
vpminsd ymm8, ymm0, ymm3
vpmaxsd ymm3, ymm0, ymm3
vpminsd ymm0, ymm1, ymm9
vpmaxsd ymm9, ymm1, ymm9
vpminsd ymm1, ymm5, ymm8
vpmaxsd ymm8, ymm5, ymm8
vpminsd ymm5, ymm0, ymm3
vpmaxsd ymm3, ymm0, ymm3
vpminsd ymm0, ymm9, ymm13
vpmaxsd ymm13, ymm9, ymm13
vmovdqu ymm9, [rdi + 2592]
vmovdqu [rdi + 1440], ymm10
vmovdqu ymm10, [rdi + 2656]
vmovdqu [rdi + 1568], ymm15
vpminsd ymm15, ymm9, ymm10
vpmaxsd ymm10, ymm9, ymm10
vmovdqu ymm9, [rdi + 2720]
vmovdqu [rdi + 1056], ymm14
vmovdqu ymm14, [rdi + 2784]
vmovdqu [rdi + 544], ymm12
vpminsd ymm12, ymm9, ymm14
vpmaxsd ymm14, ymm9, ymm14
vpminsd ymm9, ymm15, ymm12
vpmaxsd ymm12, ymm15, ymm12
vpminsd ymm15, ymm10, ymm14
vpmaxsd ymm14, ymm10, ymm14
vpminsd ymm10, ymm15, ymm12
vpmaxsd ymm12, ymm15, ymm12
vmovdqu ymm15, [rdi + 2848]
vmovdqu [rdi + 288], ymm11
vmovdqu ymm11, [rdi + 2912]
vmovdqu [rdi + 96], ymm7
vpminsd ymm7, ymm15, ymm11
vpmaxsd ymm11, ymm15, ymm11
vmovdqu ymm15, [rdi + 2976]
vmovdqu [rdi + 160], ymm4
vmovdqu ymm4, [rdi + 3040]
vmovdqu [rdi + 2080], ymm6
vpminsd ymm6, ymm15, ymm4
vpmaxsd ymm4, ymm15, ymm4
vpminsd ymm15, ymm7, ymm6
vpmaxsd ymm6, ymm7, ymm6
vpminsd ymm7, ymm11, ymm4
vpmaxsd ymm4, ymm11, ymm4
vpminsd ymm11, ymm7, ymm6
vpmaxsd ymm6, ymm7, ymm6
vpminsd ymm7, ymm9, ymm15
vpmaxsd ymm15, ymm9, ymm15
vpminsd ymm9, ymm10, ymm11
vpmaxsd ymm11, ymm10, ymm11
vpminsd ymm10, ymm12, ymm6
vpmaxsd ymm6, ymm12, ymm6
vpminsd ymm12, ymm14, ymm4
vpmaxsd ymm4, ymm14, ymm4
vpminsd ymm14, ymm10, ymm15
vpmaxsd ymm15, ymm10, ymm15
vpminsd ymm10, ymm12, ymm11
vpmaxsd ymm11, ymm12, ymm11
vpminsd ymm12, ymm9, ymm14
vpmaxsd ymm14, ymm9, ymm14
vpminsd ymm9, ymm10, ymm15
vpmaxsd ymm15, ymm10, ymm15
vpminsd ymm10, ymm11, ymm6
vpmaxsd ymm6, ymm11, ymm6
vpminsd ymm11, ymm1, ymm12
vpmaxsd ymm12, ymm1, ymm12
vpminsd ymm1, ymm8, ymm14
vpmaxsd ymm14, ymm8, ymm14
vpminsd ymm8, ymm5, ymm9
vpmaxsd ymm9, ymm5, ymm9
vpminsd ymm5, ymm3, ymm15
vpmaxsd ymm15, ymm3, ymm15
vpminsd ymm3, ymm0, ymm10
vpmaxsd ymm10, ymm0, ymm10
vpminsd ymm0, ymm13, ymm6
vpmaxsd ymm6, ymm13, ymm6
vpminsd ymm13, ymm2, ymm4
vpmaxsd ymm4, ymm2, ymm4
vpminsd ymm2, ymm3, ymm12
vpmaxsd ymm12, ymm3, ymm12
vpminsd ymm3, ymm0, ymm14
vpmaxsd ymm14, ymm0, ymm14
vpminsd ymm0, ymm13, ymm9
vpmaxsd ymm9, ymm13, ymm9
vpminsd ymm13, ymm8, ymm2
vpmaxsd ymm2, ymm8, ymm2
vpminsd ymm8, ymm0, ymm12
vpmaxsd ymm12, ymm0, ymm12
vpminsd ymm0, ymm14, ymm15
vpmaxsd ymm15, ymm14, ymm15
vpminsd ymm14, ymm9, ymm10
vpmaxsd ymm10, ymm9, ymm10
vpminsd ymm9, ymm12, ymm0
vpmaxsd ymm0, ymm12, ymm0
vpminsd ymm12, ymm14, ymm15
vpmaxsd ymm15, ymm14, ymm15
vpminsd ymm14, ymm10, ymm6
vpmaxsd ymm6, ymm10, ymm6
vmovdqu ymm10, [rdi + 2080]
vmovdqu [rdi + 2144], ymm11
vpminsd ymm11, ymm10, ymm7
vpmaxsd ymm7, ymm10, ymm7
vpminsd ymm10, ymm5, ymm7
vpmaxsd ymm7, ymm5, ymm7
vpminsd ymm5, ymm1, ymm10
vpmaxsd ymm10, ymm1, ymm10
vpminsd ymm1, ymm3, ymm7
vpmaxsd ymm7, ymm3, ymm7
vpminsd ymm3, ymm13, ymm10
vpmaxsd ymm10, ymm13, ymm10
vpminsd ymm13, ymm2, ymm1
vpmaxsd ymm1, ymm2, ymm1
vpminsd ymm2, ymm8, ymm7
vpmaxsd ymm7, ymm8, ymm7
vmovdqu ymm8, [rdi + 2144]
vmovdqu [rdi + 3040], ymm4
vpminsd ymm4, ymm8, ymm5
vpmaxsd ymm5, ymm8, ymm5
vmovdqu ymm8, [rdi + 3104]
vmovdqu [rdi + 2656], ymm9
vmovdqu ymm9, [rdi + 3168]
vmovdqu [rdi + 2720], ymm0
vpminsd ymm0, ymm8, ymm9
vpmaxsd ymm9, ymm8, ymm9
vmovdqu ymm8, [rdi + 3232]
vmovdqu [rdi + 2784], ymm12
vmovdqu ymm12, [rdi + 3296]
vmovdqu [rdi + 2848], ymm15
vpminsd ymm15, ymm8, ymm12
vpmaxsd ymm12, ymm8, ymm12
vpminsd ymm8, ymm0, ymm15
vpmaxsd ymm15, ymm0, ymm15
vpminsd ymm0, ymm9, ymm12
vpmaxsd ymm12, ymm9, ymm12
vpminsd ymm9, ymm0, ymm15
vpmaxsd ymm15, ymm0, ymm15
vmovdqu ymm0, [rdi + 3360]
vmovdqu [rdi + 2912], ymm14
vmovdqu ymm14, [rdi + 3424]
vmovdqu [rdi + 2976], ymm6
vpminsd ymm6, ymm0, ymm14
vpmaxsd ymm14, ymm0, ymm14
vmovdqu ymm0, [rdi + 3488]
vmovdqu [rdi + 2080], ymm11
vmovdqu ymm11, [rdi + 3552]
vmovdqu [rdi + 2272], ymm3
vpminsd ymm3, ymm0, ymm11
vpmaxsd ymm11, ymm0, ymm11
vpminsd ymm0, ymm6, ymm3
vpmaxsd ymm3, ymm6, ymm3
vpminsd ymm6, ymm14, ymm11
vpmaxsd ymm11, ymm14, ymm11
vpminsd ymm14, ymm6, ymm3
vpmaxsd ymm3, ymm6, ymm3
vpminsd ymm6, ymm8, ymm0
vpmaxsd ymm0, ymm8, ymm0
vpminsd ymm8, ymm9, ymm14
vpmaxsd ymm14, ymm9, ymm14
vpminsd ymm9, ymm15, ymm3
vpmaxsd ymm3, ymm15, ymm3
vpminsd ymm15, ymm12, ymm11
vpmaxsd ymm11, ymm12, ymm11
vpminsd ymm12, ymm9, ymm0
vpmaxsd ymm0, ymm9, ymm0
vpminsd ymm9, ymm15, ymm14
vpmaxsd ymm14, ymm15, ymm14
vpminsd ymm15, ymm8, ymm12
vpmaxsd ymm12, ymm8, ymm12
vpminsd ymm8, ymm9, ymm0
vpmaxsd ymm0, ymm9, ymm0
vpminsd ymm9, ymm14, ymm3
vpmaxsd ymm3, ymm14, ymm3
vmovdqu ymm14, [rdi + 3616]
vmovdqu [rdi + 2336], ymm10
vmovdqu ymm10, [rdi + 3680]
vmovdqu [rdi + 2400], ymm13
vpminsd ymm13, ymm14, ymm10
vpmaxsd ymm10, ymm14, ymm10
vmovdqu ymm14, [rdi + 3744]
vmovdqu [rdi + 2464], ymm1
vmovdqu ymm1, [rdi + 3808]
vmovdqu [rdi + 2528], ymm2
vpminsd ymm2, ymm14, ymm1
vpmaxsd ymm1, ymm14, ymm1
vpminsd ymm14, ymm13, ymm2
vpmaxsd ymm2, ymm13, ymm2
vpminsd ymm13, ymm10, ymm1
vpmaxsd ymm1, ymm10, ymm1
vpminsd ymm10, ymm13, ymm2
vpmaxsd ymm2, ymm13, ymm2
vmovdqu ymm13, [rdi + 3872]
vmovdqu [rdi + 2592], ymm7
vmovdqu ymm7, [rdi + 3936]
vmovdqu [rdi + 2144], ymm4
vpminsd ymm4, ymm13, ymm7
vpmaxsd ymm7, ymm13, ymm7
vmovdqu ymm13, [rdi + 4000]
vmovdqu [rdi + 2208], ymm5
vmovdqu ymm5, [rdi + 4064]
vmovdqu [rdi + 3104], ymm6
vpminsd ymm6, ymm13, ymm5
vpmaxsd ymm5, ymm13, ymm5
vpminsd ymm13, ymm4, ymm6
vpmaxsd ymm6, ymm4, ymm6
vpminsd ymm4, ymm7, ymm5
vpmaxsd ymm5, ymm7, ymm5
vpminsd ymm7, ymm4, ymm6
vpmaxsd ymm6, ymm4, ymm6
vpminsd ymm4, ymm14, ymm13
vpmaxsd ymm13, ymm14, ymm13
vpminsd ymm14, ymm10, ymm7
vpmaxsd ymm7, ymm10, ymm7
vpminsd ymm10, ymm2, ymm6
vpmaxsd ymm6, ymm2, ymm6
vpminsd ymm2, ymm1, ymm5
vpmaxsd ymm5, ymm1, ymm5
vpminsd ymm1, ymm10, ymm13
vpmaxsd ymm13, ymm10, ymm13
vpminsd ymm10, ymm2, ymm7
vpmaxsd ymm7, ymm2, ymm7
vpminsd ymm2, ymm14, ymm1
vpmaxsd ymm1, ymm14, ymm1
vpminsd ymm14, ymm10, ymm13
vpmaxsd ymm13, ymm10, ymm13
vpminsd ymm10, ymm7, ymm6
vpmaxsd ymm6, ymm7, ymm6
vpminsd ymm7, ymm15, ymm2
vpmaxsd ymm2, ymm15, ymm2
vpminsd ymm15, ymm12, ymm1
vpmaxsd ymm1, ymm12, ymm1
vpminsd ymm12, ymm8, ymm14
vpmaxsd ymm14, ymm8, ymm14
vpminsd ymm8, ymm0, ymm13
vpmaxsd ymm13, ymm0, ymm13
vpminsd ymm0, ymm9, ymm10
vpmaxsd ymm10, ymm9, ymm10
vpminsd ymm9, ymm3, ymm6
vpmaxsd ymm6, ymm3, ymm6
vpminsd ymm3, ymm11, ymm5
vpmaxsd ymm5, ymm11, ymm5
vpminsd ymm11, ymm0, ymm2
vpmaxsd ymm2, ymm0, ymm2
vpminsd ymm0, ymm9, ymm1
vpmaxsd ymm1, ymm9, ymm1
vpminsd ymm9, ymm3, ymm14
vpmaxsd ymm14, ymm3, ymm14
vpminsd ymm3, ymm12, ymm11
vpmaxsd ymm11, ymm12, ymm11
vpminsd ymm12, ymm9, ymm2
vpmaxsd ymm2, ymm9, ymm2
vpminsd ymm9, ymm1, ymm13
vpmaxsd ymm13, ymm1, ymm13
vpminsd ymm1, ymm14, ymm10
vpmaxsd ymm10, ymm14, ymm10
vpminsd ymm14, ymm2, ymm9
vpmaxsd ymm9, ymm2, ymm9
vpminsd ymm2, ymm1, ymm13
vpmaxsd ymm13, ymm1, ymm13
vpminsd ymm1, ymm10, ymm6
vpmaxsd ymm6, ymm10, ymm6
vmovdqu ymm10, [rdi + 3104]
vmovdqu [rdi + 3168], ymm7
vpminsd ymm7, ymm10, ymm4
vpmaxsd ymm4, ymm10, ymm4
vpminsd ymm10, ymm8, ymm4
vpmaxsd ymm4, ymm8, ymm4
vpminsd ymm8, ymm15, ymm10
vpmaxsd ymm10, ymm15, ymm10
vpminsd ymm15, ymm0, ymm4
vpmaxsd ymm4, ymm0, ymm4
vpminsd ymm0, ymm3, ymm10
vpmaxsd ymm10, ymm3, ymm10
vpminsd ymm3, ymm11, ymm15
vpmaxsd ymm15, ymm11, ymm15
vpminsd ymm11, ymm12, ymm4
vpmaxsd ymm4, ymm12, ymm4
vmovdqu ymm12, [rdi + 3168]
vmovdqu [rdi + 4064], ymm5
vpminsd ymm5, ymm12, ymm8
vpmaxsd ymm8, ymm12, ymm8
vmovdqu ymm12, [rdi + 2080]
vmovdqu [rdi + 3680], ymm14
vpminsd ymm14, ymm12, ymm7
vpmaxsd ymm7, ymm12, ymm7
vmovdqu ymm12, [rdi + 2144]
vmovdqu [rdi + 3744], ymm9
vpminsd ymm9, ymm12, ymm5
vpmaxsd ymm5, ymm12, ymm5
vmovdqu ymm12, [rdi + 2208]
vmovdqu [rdi + 3808], ymm2
vpminsd ymm2, ymm12, ymm8
vpmaxsd ymm8, ymm12, ymm8
vmovdqu ymm12, [rdi + 2272]
vmovdqu [rdi + 3872], ymm13
vpminsd ymm13, ymm12, ymm0
vpmaxsd ymm0, ymm12, ymm0
vmovdqu ymm12, [rdi + 2336]
vmovdqu [rdi + 3936], ymm1
vpminsd ymm1, ymm12, ymm10
vpmaxsd ymm10, ymm12, ymm10
vmovdqu ymm12, [rdi + 2400]
vmovdqu [rdi + 4000], ymm6
vpminsd ymm6, ymm12, ymm3
vpmaxsd ymm3, ymm12, ymm3
vmovdqu ymm12, [rdi + 2464]
vmovdqu [rdi + 3552], ymm11
vpminsd ymm11, ymm12, ymm15
vpmaxsd ymm15, ymm12, ymm15
vmovdqu ymm12, [rdi + 2592]
vmovdqu [rdi + 2080], ymm14
vpminsd ymm14, ymm12, ymm4
vpmaxsd ymm4, ymm12, ymm4
vpminsd ymm12, ymm14, ymm7
vpmaxsd ymm7, ymm14, ymm7
vpminsd ymm14, ymm1, ymm12
vpmaxsd ymm12, ymm1, ymm12
vpminsd ymm1, ymm2, ymm14
vpmaxsd ymm14, ymm2, ymm14
vpminsd ymm2, ymm9, ymm1
vpmaxsd ymm1, ymm9, ymm1
vmovdqu ymm9, [rdi + 96]
vpmaxsd ymm2, ymm9, ymm2
vmovdqu [rdi + 3168], ymm5
vmovdqu ymm5, [rdi + 160]
vpmaxsd ymm1, ymm5, ymm1
vmovdqu [rdi + 3232], ymm8
vmovdqu ymm8, [rdi + 480]
vmovdqu [rdi + 2272], ymm13
vmovdqu ymm13, [rdi + 1504]
vmovdqu [rdi + 3296], ymm0
vpminsd ymm0, ymm8, ymm13
vpmaxsd ymm13, ymm8, ymm13
vmovdqu ymm8, [rdi + 608]
vmovdqu [rdi + 3360], ymm10
vmovdqu ymm10, [rdi + 1632]
vmovdqu [rdi + 2400], ymm6
vpminsd ymm6, ymm8, ymm10
vpmaxsd ymm10, ymm8, ymm10
vmovdqu ymm8, [rdi + 1120]
vmovdqu [rdi + 3424], ymm3
vpminsd ymm3, ymm6, ymm8
vpmaxsd ymm8, ymm6, ymm8
vmovdqu ymm6, [rdi + 352]
vmovdqu [rdi + 2464], ymm11
vpminsd ymm11, ymm6, ymm3
vpmaxsd ymm3, ymm6, ymm3
vmovdqu ymm6, [rdi + 224]
vmovdqu [rdi + 3488], ymm15
vpminsd ymm15, ymm6, ymm11
vpmaxsd ymm11, ymm6, ymm11
vmovdqu ymm6, [rdi + 288]
vmovdqu [rdi + 3616], ymm4
vpminsd ymm4, ymm15, ymm6
vpmaxsd ymm6, ymm15, ymm6
vmovdqu ymm15, [rdi + 672]
vmovdqu [rdi + 3104], ymm7
vmovdqu ymm7, [rdi + 1696]
vmovdqu [rdi + 2592], ymm12
vpminsd ymm12, ymm15, ymm7
vpmaxsd ymm7, ymm15, ymm7
vmovdqu ymm15, [rdi + 1184]
vmovdqu [rdi + 2336], ymm14
vpminsd ymm14, ymm12, ymm15
vpmaxsd ymm15, ymm12, ymm15
vmovdqu ymm12, [rdi + 416]
vpminsd ymm9, ymm12, ymm14
vpmaxsd ymm14, ymm12, ymm14
vmovdqu ymm12, [rdi + 544]
vmovdqu [rdi + 2144], ymm2
vpminsd ymm2, ymm9, ymm12
vpmaxsd ymm12, ymm9, ymm12
vpminsd ymm9, ymm11, ymm2
vpmaxsd ymm2, ymm11, ymm2
vmovdqu ymm11, [rdi + 736]
vmovdqu ymm5, [rdi + 1760]
vmovdqu [rdi + 2208], ymm1
vpminsd ymm1, ymm11, ymm5
vpmaxsd ymm5, ymm11, ymm5
vmovdqu ymm11, [rdi + 1248]
vmovdqu [rdi + 480], ymm0
vpminsd ymm0, ymm1, ymm11
vpmaxsd ymm11, ymm1, ymm11
vmovdqu ymm1, [rdi + 480]
vmovdqu [rdi + 1504], ymm13
vpminsd ymm13, ymm1, ymm0
vpmaxsd ymm0, ymm1, ymm0
vpminsd ymm1, ymm13, ymm3
vpmaxsd ymm3, ymm13, ymm3
vpminsd ymm13, ymm1, ymm12
vpmaxsd ymm12, ymm1, ymm12
vmovdqu ymm1, [rdi + 800]
vmovdqu [rdi + 1632], ymm10
vmovdqu ymm10, [rdi + 1824]
vmovdqu [rdi + 1120], ymm8
vpminsd ymm8, ymm1, ymm10
vpmaxsd ymm10, ymm1, ymm10
vmovdqu ymm1, [rdi + 1312]
vmovdqu [rdi + 224], ymm4
vpminsd ymm4, ymm8, ymm1
vpmaxsd ymm1, ymm8, ymm1
vmovdqu ymm8, [rdi + 1056]
vmovdqu [rdi + 288], ymm6
vpminsd ymm6, ymm4, ymm8
vpmaxsd ymm8, ymm4, ymm8
vpminsd ymm4, ymm14, ymm6
vpmaxsd ymm6, ymm14, ymm6
vpminsd ymm14, ymm3, ymm4
vpmaxsd ymm4, ymm3, ymm4
vmovdqu ymm3, [rdi + 1568]
vmovdqu [rdi + 1696], ymm7
vpminsd ymm7, ymm1, ymm3
vpmaxsd ymm3, ymm1, ymm3
vmovdqu ymm1, [rdi + 864]
vmovdqu [rdi + 1184], ymm15
vmovdqu ymm15, [rdi + 1888]
vmovdqu [rdi + 352], ymm9
vpminsd ymm9, ymm1, ymm15
vpmaxsd ymm15, ymm1, ymm15
vmovdqu ymm1, [rdi + 1376]
vmovdqu [rdi + 416], ymm2
vpminsd ymm2, ymm9, ymm1
vpmaxsd ymm1, ymm9, ymm1
vmovdqu ymm9, [rdi + 1120]
vmovdqu [rdi + 1760], ymm5
vpminsd ymm5, ymm2, ymm9
vpmaxsd ymm9, ymm2, ymm9
vpminsd ymm2, ymm0, ymm5
vpmaxsd ymm5, ymm0, ymm5
vpminsd ymm0, ymm2, ymm6
vpmaxsd ymm6, ymm2, ymm6
vmovdqu ymm2, [rdi + 1632]
vmovdqu [rdi + 1248], ymm11
vpminsd ymm11, ymm1, ymm2
vpmaxsd ymm2, ymm1, ymm2
vmovdqu ymm1, [rdi + 928]
vmovdqu [rdi + 480], ymm13
vmovdqu ymm13, [rdi + 1952]
vmovdqu [rdi + 544], ymm12
vpminsd ymm12, ymm1, ymm13
vpmaxsd ymm13, ymm1, ymm13
vmovdqu ymm1, [rdi + 1440]
vmovdqu [rdi + 1824], ymm10
vpminsd ymm10, ymm12, ymm1
vpmaxsd ymm1, ymm12, ymm1
vmovdqu ymm12, [rdi + 1184]
vmovdqu [rdi + 1056], ymm8
vpminsd ymm8, ymm10, ymm12
vpmaxsd ymm12, ymm10, ymm12
vpminsd ymm10, ymm12, ymm7
vpmaxsd ymm7, ymm12, ymm7
vmovdqu ymm12, [rdi + 1696]
vmovdqu [rdi + 608], ymm14
vpminsd ymm14, ymm1, ymm12
vpmaxsd ymm12, ymm1, ymm12
vpminsd ymm1, ymm14, ymm3
vpmaxsd ymm3, ymm14, ymm3
vmovdqu ymm14, [rdi + 1056]
vmovdqu [rdi + 672], ymm4
vpminsd ymm4, ymm8, ymm14
vpmaxsd ymm14, ymm8, ymm14
vpminsd ymm8, ymm5, ymm4
vpmaxsd ymm4, ymm5, ymm4
vmovdqu ymm5, [rdi + 1824]
vmovdqu [rdi + 1888], ymm15
vpminsd ymm15, ymm12, ymm5
vpmaxsd ymm5, ymm12, ymm5
vmovdqu ymm12, [rdi + 992]
vmovdqu [rdi + 1120], ymm9
vmovdqu ymm9, [rdi + 2016]
vmovdqu [rdi + 736], ymm0
vpminsd ymm0, ymm12, ymm9
vpmaxsd ymm9, ymm12, ymm9
vmovdqu ymm12, [rdi + 1504]
vmovdqu [rdi + 800], ymm6
vpminsd ymm6, ymm0, ymm12
vpmaxsd ymm12, ymm0, ymm12
vmovdqu ymm0, [rdi + 1248]
vmovdqu [rdi + 1376], ymm11
vpminsd ymm11, ymm6, ymm0
vpmaxsd ymm0, ymm6, ymm0
vmovdqu ymm6, [rdi + 1760]
vmovdqu [rdi + 1632], ymm2
vpminsd ymm2, ymm12, ymm6
vpmaxsd ymm6, ymm12, ymm6
vmovdqu ymm12, [rdi + 1120]
vmovdqu [rdi + 1952], ymm13
vpminsd ymm13, ymm11, ymm12
vpmaxsd ymm12, ymm11, ymm12
vpminsd ymm11, ymm13, ymm14
vpmaxsd ymm14, ymm13, ymm14
vpminsd ymm13, ymm12, ymm10
vpmaxsd ymm10, ymm12, ymm10
vmovdqu ymm12, [rdi + 1376]
vmovdqu [rdi + 1312], ymm7
vpminsd ymm7, ymm0, ymm12
vpmaxsd ymm12, ymm0, ymm12
vpminsd ymm0, ymm12, ymm1
vpmaxsd ymm1, ymm12, ymm1
vmovdqu ymm12, [rdi + 1632]
vmovdqu [rdi + 1568], ymm3
vpminsd ymm3, ymm2, ymm12
vpmaxsd ymm12, ymm2, ymm12
vpminsd ymm2, ymm12, ymm15
vpmaxsd ymm15, ymm12, ymm15
vmovdqu ymm12, [rdi + 1888]
vmovdqu [rdi + 864], ymm8
vpminsd ymm8, ymm6, ymm12
vpmaxsd ymm12, ymm6, ymm12
vpminsd ymm6, ymm8, ymm5
vpmaxsd ymm5, ymm8, ymm5
vmovdqu ymm8, [rdi + 1312]
vmovdqu [rdi + 928], ymm4
vpminsd ymm4, ymm7, ymm8
vpmaxsd ymm8, ymm7, ymm8
vmovdqu ymm7, [rdi + 1568]
vmovdqu [rdi + 2016], ymm9
vpminsd ymm9, ymm3, ymm7
vpmaxsd ymm7, ymm3, ymm7
vmovdqu ymm3, [rdi + 1952]
vmovdqu [rdi + 992], ymm11
vpminsd ymm11, ymm12, ymm3
vpmaxsd ymm3, ymm12, ymm3
vmovdqu ymm12, [rdi + 2528]
vmovdqu [rdi + 1056], ymm14
vmovdqu ymm14, [rdi + 3552]
vmovdqu [rdi + 1120], ymm13
vpminsd ymm13, ymm12, ymm14
vpmaxsd ymm14, ymm12, ymm14
vmovdqu ymm12, [rdi + 2656]
vmovdqu [rdi + 1184], ymm10
vmovdqu ymm10, [rdi + 3680]
vmovdqu [rdi + 1376], ymm0
vpminsd ymm0, ymm12, ymm10
vpmaxsd ymm10, ymm12, ymm10
vmovdqu ymm12, [rdi + 3168]
vmovdqu [rdi + 1440], ymm1
vpminsd ymm1, ymm0, ymm12
vpmaxsd ymm12, ymm0, ymm12
vmovdqu ymm0, [rdi + 2400]
vmovdqu [rdi + 1632], ymm2
vpminsd ymm2, ymm0, ymm1
vpmaxsd ymm1, ymm0, ymm1
vmovdqu ymm0, [rdi + 2272]
vmovdqu [rdi + 1696], ymm15
vpminsd ymm15, ymm0, ymm2
vpmaxsd ymm2, ymm0, ymm2
vmovdqu ymm0, [rdi + 2336]
vmovdqu [rdi + 1760], ymm6
vpminsd ymm6, ymm15, ymm0
vpmaxsd ymm0, ymm15, ymm0
vmovdqu ymm15, [rdi + 224]
vpmaxsd ymm6, ymm15, ymm6
vmovdqu [rdi + 1824], ymm5
vmovdqu ymm5, [rdi + 288]
vpmaxsd ymm0, ymm5, ymm0
vmovdqu [rdi + 1248], ymm4
vmovdqu ymm4, [rdi + 2720]
vmovdqu [rdi + 1312], ymm8
vmovdqu ymm8, [rdi + 3744]
vmovdqu [rdi + 1504], ymm9
vpminsd ymm9, ymm4, ymm8
vpmaxsd ymm8, ymm4, ymm8
vmovdqu ymm4, [rdi + 3232]
vmovdqu [rdi + 1568], ymm7
vpminsd ymm7, ymm9, ymm4
vpmaxsd ymm4, ymm9, ymm4
vmovdqu ymm9, [rdi + 2464]
vmovdqu [rdi + 1888], ymm11
vpminsd ymm11, ymm9, ymm7
vpmaxsd ymm7, ymm9, ymm7
vmovdqu ymm9, [rdi + 2592]
vmovdqu [rdi + 1952], ymm3
vpminsd ymm3, ymm11, ymm9
vpmaxsd ymm9, ymm11, ymm9
vpminsd ymm11, ymm2, ymm3
vpmaxsd ymm3, ymm2, ymm3
vmovdqu ymm2, [rdi + 352]
vpmaxsd ymm11, ymm2, ymm11
vmovdqu [rdi + 2528], ymm13
vmovdqu ymm13, [rdi + 416]
vpmaxsd ymm3, ymm13, ymm3
vmovdqu [rdi + 3552], ymm14
vmovdqu ymm14, [rdi + 2784]
vmovdqu [rdi + 3680], ymm10
vmovdqu ymm10, [rdi + 3808]
vmovdqu [rdi + 3168], ymm12
vpminsd ymm12, ymm14, ymm10
vpmaxsd ymm10, ymm14, ymm10
vmovdqu ymm14, [rdi + 3296]
vmovdqu [rdi + 2656], ymm1
vpminsd ymm1, ymm12, ymm14
vpmaxsd ymm14, ymm12, ymm14
vmovdqu ymm12, [rdi + 2528]
vpminsd ymm15, ymm12, ymm1
vpmaxsd ymm1, ymm12, ymm1
vmovdqu ymm12, [rdi + 2656]
vmovdqu [rdi + 2272], ymm6
vpminsd ymm6, ymm15, ymm12
vpmaxsd ymm12, ymm15, ymm12
vpminsd ymm15, ymm6, ymm9
vpmaxsd ymm9, ymm6, ymm9
vmovdqu ymm6, [rdi + 480]
vpmaxsd ymm15, ymm6, ymm15
vmovdqu ymm5, [rdi + 544]
vpmaxsd ymm9, ymm5, ymm9
vmovdqu [rdi + 2336], ymm0
vmovdqu ymm0, [rdi + 2848]
vmovdqu [rdi + 3744], ymm8
vmovdqu ymm8, [rdi + 3872]
vmovdqu [rdi + 3232], ymm4
vpminsd ymm4, ymm0, ymm8
vpmaxsd ymm8, ymm0, ymm8
vmovdqu ymm0, [rdi + 3360]
vmovdqu [rdi + 2720], ymm7
vpminsd ymm7, ymm4, ymm0
vpmaxsd ymm0, ymm4, ymm0
vmovdqu ymm4, [rdi + 3104]
vpminsd ymm2, ymm7, ymm4
vpmaxsd ymm4, ymm7, ymm4
vmovdqu ymm7, [rdi + 3616]
vmovdqu [rdi + 2400], ymm11
vpminsd ymm11, ymm0, ymm7
vpmaxsd ymm7, ymm0, ymm7
vmovdqu ymm0, [rdi + 2720]
vpminsd ymm13, ymm0, ymm2
vpmaxsd ymm2, ymm0, ymm2
vpminsd ymm0, ymm12, ymm13
vpmaxsd ymm13, ymm12, ymm13
vmovdqu ymm12, [rdi + 608]
vpmaxsd ymm0, ymm12, ymm0
vmovdqu [rdi + 2464], ymm3
vmovdqu ymm3, [rdi + 672]
vpmaxsd ymm13, ymm3, ymm13
vmovdqu [rdi + 3808], ymm10
vmovdqu ymm10, [rdi + 2912]
vmovdqu [rdi + 3296], ymm14
vmovdqu ymm14, [rdi + 3936]
vmovdqu [rdi + 2784], ymm1
vpminsd ymm1, ymm10, ymm14
vpmaxsd ymm14, ymm10, ymm14
vmovdqu ymm10, [rdi + 3424]
vpminsd ymm6, ymm1, ymm10
vpmaxsd ymm10, ymm1, ymm10
vmovdqu ymm1, [rdi + 3168]
vmovdqu [rdi + 2528], ymm15
vpminsd ymm15, ymm6, ymm1
vpmaxsd ymm1, ymm6, ymm1
vmovdqu ymm6, [rdi + 3680]
vpminsd ymm5, ymm10, ymm6
vpmaxsd ymm6, ymm10, ymm6
vmovdqu ymm10, [rdi + 2784]
vmovdqu [rdi + 2592], ymm9
vpminsd ymm9, ymm10, ymm15
vpmaxsd ymm15, ymm10, ymm15
vpminsd ymm10, ymm9, ymm2
vpmaxsd ymm2, ymm9, ymm2
vmovdqu ymm9, [rdi + 736]
vpmaxsd ymm10, ymm9, ymm10
vmovdqu [rdi + 3872], ymm8
vmovdqu ymm8, [rdi + 800]
vpmaxsd ymm2, ymm8, ymm2
vmovdqu [rdi + 3104], ymm4
vmovdqu ymm4, [rdi + 2976]
vmovdqu [rdi + 3360], ymm11
vmovdqu ymm11, [rdi + 4000]
vmovdqu [rdi + 3616], ymm7
vpminsd ymm7, ymm4, ymm11
vpmaxsd ymm11, ymm4, ymm11
vmovdqu ymm4, [rdi + 3488]
vpminsd ymm12, ymm7, ymm4
vpmaxsd ymm4, ymm7, ymm4
vmovdqu ymm7, [rdi + 3232]
vmovdqu [rdi + 2656], ymm0
vpminsd ymm0, ymm12, ymm7
vpmaxsd ymm7, ymm12, ymm7
vmovdqu ymm12, [rdi + 3744]
vpminsd ymm3, ymm4, ymm12
vpmaxsd ymm12, ymm4, ymm12
vmovdqu ymm4, [rdi + 3104]
vmovdqu [rdi + 2720], ymm13
vpminsd ymm13, ymm0, ymm4
vpmaxsd ymm4, ymm0, ymm4
vpminsd ymm0, ymm15, ymm13
vpmaxsd ymm13, ymm15, ymm13
vmovdqu ymm15, [rdi + 3360]
vmovdqu [rdi + 3936], ymm14
vpminsd ymm14, ymm7, ymm15
vpmaxsd ymm15, ymm7, ymm15
vmovdqu ymm7, [rdi + 3616]
vmovdqu [rdi + 3168], ymm1
vpminsd ymm1, ymm3, ymm7
vpmaxsd ymm7, ymm3, ymm7
vmovdqu ymm3, [rdi + 3872]
vmovdqu [rdi + 3424], ymm5
vpminsd ymm5, ymm12, ymm3
vpmaxsd ymm3, ymm12, ymm3
vmovdqu ymm12, [rdi + 864]
vpmaxsd ymm0, ymm12, ymm0
vmovdqu [rdi + 3680], ymm6
vmovdqu ymm6, [rdi + 928]
vpminsd ymm9, ymm6, ymm13
vpmaxsd ymm13, ymm6, ymm13
vmovdqu ymm6, [rdi + 3040]
vmovdqu [rdi + 2784], ymm10
vmovdqu ymm10, [rdi + 4064]
vpminsd ymm8, ymm6, ymm10
vpmaxsd ymm10, ymm6, ymm10
vmovdqu ymm6, [rdi + 3552]
vmovdqu [rdi + 2848], ymm2
vpminsd ymm2, ymm8, ymm6
vpmaxsd ymm6, ymm8, ymm6
vmovdqu ymm8, [rdi + 3296]
vmovdqu [rdi + 4000], ymm11
vpminsd ymm11, ymm2, ymm8
vpmaxsd ymm8, ymm2, ymm8
vmovdqu ymm2, [rdi + 3808]
vmovdqu [rdi + 3104], ymm4
vpminsd ymm4, ymm6, ymm2
vpmaxsd ymm2, ymm6, ymm2
vmovdqu ymm6, [rdi + 3168]
vmovdqu [rdi + 3232], ymm14
vpminsd ymm14, ymm11, ymm6
vpmaxsd ymm6, ymm11, ymm6
vmovdqu ymm11, [rdi + 3424]
vmovdqu [rdi + 3360], ymm15
vpminsd ymm15, ymm8, ymm11
vpmaxsd ymm11, ymm8, ymm11
vpminsd ymm8, ymm11, ymm1
vpmaxsd ymm1, ymm11, ymm1
vmovdqu ymm11, [rdi + 3680]
vmovdqu [rdi + 3616], ymm7
vpminsd ymm7, ymm4, ymm11
vpmaxsd ymm11, ymm4, ymm11
vpminsd ymm4, ymm11, ymm5
vpmaxsd ymm5, ymm11, ymm5
vmovdqu ymm11, [rdi + 3936]
vmovdqu [rdi + 3872], ymm3
vpminsd ymm3, ymm2, ymm11
vpmaxsd ymm11, ymm2, ymm11
vmovdqu ymm2, [rdi + 3104]
vpminsd ymm12, ymm14, ymm2
vpmaxsd ymm2, ymm14, ymm2
vmovdqu ymm14, [rdi + 3232]
vmovdqu [rdi + 2912], ymm0
vpminsd ymm0, ymm6, ymm14
vpmaxsd ymm14, ymm6, ymm14
vmovdqu ymm6, [rdi + 3360]
vmovdqu [rdi + 928], ymm9
vpminsd ymm9, ymm15, ymm6
vpmaxsd ymm6, ymm15, ymm6
vmovdqu ymm15, [rdi + 3616]
vmovdqu [rdi + 2976], ymm13
vpminsd ymm13, ymm7, ymm15
vpmaxsd ymm15, ymm7, ymm15
vmovdqu ymm7, [rdi + 3872]
vmovdqu [rdi + 4064], ymm10
vpminsd ymm10, ymm3, ymm7
vpmaxsd ymm7, ymm3, ymm7
vmovdqu ymm3, [rdi + 4000]
vmovdqu [rdi + 3424], ymm8
vpminsd ymm8, ymm11, ymm3
vpmaxsd ymm3, ymm11, ymm3
vmovdqu ymm11, [rdi + 992]
vmovdqu [rdi + 3488], ymm1
vpminsd ymm1, ymm11, ymm12
vpmaxsd ymm12, ymm11, ymm12
vmovdqu ymm11, [rdi + 1056]
vpminsd ymm11, ymm11, ymm2
vmovdqu [rdi + 3680], ymm4
vmovdqu ymm4, [rdi + 1120]
vpminsd ymm4, ymm4, ymm0
vmovdqu [rdi + 3744], ymm5
vmovdqu ymm5, [rdi + 1184]
vpminsd ymm5, ymm5, ymm14
vmovdqu [rdi + 3296], ymm9
vmovdqu ymm9, [rdi + 1248]
vmovdqu [rdi + 3360], ymm6
vmovdqu ymm6, [rdi + 3296]
vpminsd ymm9, ymm9, ymm6
vmovdqu [rdi + 3552], ymm13
vmovdqu ymm13, [rdi + 1504]
vmovdqu [rdi + 3616], ymm15
vmovdqu ymm15, [rdi + 3552]
vpminsd ymm13, ymm13, ymm15
vmovdqu [rdi + 3808], ymm10
vmovdqu ymm10, [rdi + 1760]
vmovdqu [rdi + 3872], ymm7
vmovdqu ymm7, [rdi + 3808]
vpminsd ymm10, ymm10, ymm7
vmovdqu [rdi + 3936], ymm8
vmovdqu ymm8, [rdi + 1888]
vmovdqu [rdi + 4000], ymm3
vmovdqu ymm3, [rdi + 3936]
vpminsd ymm8, ymm8, ymm3
vmovdqu [rdi + 992], ymm1
vmovdqu ymm1, [rdi + 2144]
vpmaxsd ymm1, ymm4, ymm1
vmovdqu [rdi + 3040], ymm12
vmovdqu ymm12, [rdi + 2208]
vpmaxsd ymm12, ymm5, ymm12
vmovdqu [rdi + 1056], ymm11
vmovdqu ymm11, [rdi + 2272]
vpmaxsd ymm11, ymm9, ymm11
vmovdqu [rdi + 3104], ymm2
vmovdqu ymm2, [rdi + 2528]
vmovdqu [rdi + 3168], ymm0
vpminsd ymm0, ymm13, ymm2
vpmaxsd ymm2, ymm13, ymm2
vmovdqu ymm13, [rdi + 2784]
vpminsd ymm10, ymm10, ymm13
vmovdqu [rdi + 3232], ymm14
vpminsd ymm14, ymm10, ymm11
vpmaxsd ymm11, ymm10, ymm11
vmovdqu ymm10, [rdi + 2912]
vpminsd ymm8, ymm8, ymm10
vmovdqu ymm6, [rdi + 992]
vpmaxsd ymm0, ymm6, ymm0
vpmaxsd ymm14, ymm0, ymm14
vmovdqu ymm15, [rdi + 32]
vmovdqu ymm7, [rdi + 2080]
vpmaxsd ymm7, ymm15, ymm7
vmovdqu ymm3, [rdi + 1056]
vpmaxsd ymm7, ymm3, ymm7
vmovdqu [rdi + 1120], ymm4
vmovdqu ymm4, [rdi + 1312]
vmovdqu [rdi + 2144], ymm1
vmovdqu ymm1, [rdi + 3360]
vpminsd ymm4, ymm4, ymm1
vmovdqu [rdi + 1184], ymm5
vmovdqu ymm5, [rdi + 2336]
vpmaxsd ymm5, ymm4, ymm5
vmovdqu [rdi + 2208], ymm12
vmovdqu ymm12, [rdi + 1376]
vmovdqu [rdi + 1248], ymm9
vmovdqu ymm9, [rdi + 3424]
vpminsd ymm12, ymm12, ymm9
vmovdqu [rdi + 2528], ymm2
vmovdqu ymm2, [rdi + 2400]
vpmaxsd ymm2, ymm12, ymm2
vpminsd ymm8, ymm8, ymm2
vmovdqu ymm13, [rdi + 1440]
vmovdqu [rdi + 2272], ymm11
vmovdqu ymm11, [rdi + 3488]
vpminsd ymm13, ymm13, ymm11
vmovdqu ymm10, [rdi + 2464]
vpminsd ymm6, ymm13, ymm10
vpmaxsd ymm10, ymm13, ymm10
vmovdqu ymm13, [rdi + 928]
vpmaxsd ymm6, ymm13, ymm6
vmovdqu [rdi + 1504], ymm0
vmovdqu ymm0, [rdi + 1568]
vmovdqu [rdi + 1760], ymm14
vmovdqu ymm14, [rdi + 3616]
vpminsd ymm0, ymm0, ymm14
vmovdqu ymm15, [rdi + 2592]
vpminsd ymm0, ymm0, ymm15
vpmaxsd ymm7, ymm0, ymm7
vmovdqu ymm3, [rdi + 1632]
vmovdqu ymm1, [rdi + 3680]
vpminsd ymm3, ymm3, ymm1
vmovdqu [rdi + 1312], ymm4
vmovdqu ymm4, [rdi + 2656]
vpminsd ymm3, ymm3, ymm4
vmovdqu [rdi + 2336], ymm5
vmovdqu ymm5, [rdi + 2144]
vpmaxsd ymm5, ymm3, ymm5
vpminsd ymm9, ymm8, ymm5
vpmaxsd ymm5, ymm8, ymm5
vmovdqu ymm8, [rdi + 1760]
vmovdqu [rdi + 1376], ymm12
vpminsd ymm12, ymm8, ymm9
vpmaxsd ymm9, ymm8, ymm9
vmovdqu ymm8, [rdi + 1696]
vmovdqu [rdi + 2400], ymm2
vmovdqu ymm2, [rdi + 3744]
vpminsd ymm8, ymm8, ymm2
vmovdqu ymm11, [rdi + 2720]
vpminsd ymm8, ymm8, ymm11
vmovdqu [rdi + 2464], ymm10
vmovdqu ymm10, [rdi + 2208]
vpminsd ymm13, ymm8, ymm10
vpmaxsd ymm10, ymm8, ymm10
vpmaxsd ymm13, ymm6, ymm13
vmovdqu ymm8, [rdi + 1824]
vmovdqu ymm14, [rdi + 3872]
vpminsd ymm8, ymm8, ymm14
vmovdqu ymm15, [rdi + 2848]
vpminsd ymm8, ymm8, ymm15
vmovdqu [rdi + 1568], ymm0
vmovdqu ymm0, [rdi + 2336]
vpminsd ymm8, ymm8, ymm0
vpminsd ymm1, ymm8, ymm7
vpmaxsd ymm7, ymm8, ymm7
vpmaxsd ymm1, ymm13, ymm1
vpmaxsd ymm1, ymm12, ymm1
vmovdqu ymm8, [rdi + 1952]
vmovdqu ymm4, [rdi + 4000]
vpminsd ymm8, ymm8, ymm4
vmovdqu [rdi + 1632], ymm3
vmovdqu ymm3, [rdi + 2976]
vpminsd ymm8, ymm8, ymm3
vmovdqu [rdi + 2144], ymm5
vmovdqu ymm5, [rdi + 2464]
vpminsd ymm8, ymm8, ymm5
vpminsd ymm8, ymm8, ymm10
vmovdqu [rdi + 1888], ymm9
vpminsd ymm9, ymm8, ymm7
vpmaxsd ymm7, ymm8, ymm7
vmovdqu ymm8, [rdi + 1888]
vpminsd ymm2, ymm8, ymm9
vpmaxsd ymm9, ymm8, ymm9
vmovdqu ymm8, [rdi + 2016]
vmovdqu ymm11, [rdi + 4064]
vpminsd ymm8, ymm8, ymm11
vmovdqu [rdi + 1440], ymm6
vmovdqu ymm6, [rdi + 3040]
vpminsd ymm8, ymm8, ymm6
vmovdqu ymm14, [rdi + 2528]
vpminsd ymm8, ymm8, ymm14
vmovdqu ymm15, [rdi + 2272]
vpminsd ymm8, ymm8, ymm15
vmovdqu ymm0, [rdi + 2144]
vpminsd ymm8, ymm8, ymm0
vmovdqu [rdi + 1696], ymm13
vpminsd ymm13, ymm8, ymm7
vpmaxsd ymm7, ymm8, ymm7
vmovdqu [rdi + 1824], ymm1
vmovdqu [rdi + 1888], ymm2
vmovdqu [rdi + 2080], ymm7
vmovdqu [rdi + 1952], ymm9
vmovdqu [rdi + 2208], ymm10
vmovdqu [rdi + 1760], ymm12
vmovdqu [rdi + 2016], ymm13
vzeroupper
