#!/bin/bash
# Issue 11, round 3: 15 CPU runs (flex, one thread each) + 1 GPU run, T seconds each.
set -u
T=${T:-450}
for f in .gl/*.deb; do dpkg -x $f / 2>/dev/null; done; ldconfig
gunzip -c .gl/gan-playground.gz > /tmp/gan-playground; BIN=/tmp/gan-playground; chmod +x $BIN
lscpu | grep -E "Model name|^CPU\(s\)"
mkdir -p runs gens logs
E="--ema-decay=0.999"
RUNS="f-base:dcgan-fast:$E f-ls:dcgan-fast:$E,--label-smoothing=0.1 f-mbsd:dcgan-fast:$E,--minibatch-stddev=true f-r1:dcgan-fast:$E,--d-batch-norm=false,--r1-gamma=1 f-sn:dcgan-fast:$E,--spectral-norm=true f-lr5:dcgan-fast:$E,--lr-g=0.0005,--lr-d=0.0005 f-c48:dcgan-fast:$E,--channels=48 d-b64:dcgan:$E f-d2:dcgan-fast:$E,--d-steps=2 lsq:lsgan:$E mlp-n:mlp:$E,--g-hidden=128,256,512 mlp-m:mlp:$E,--g-hidden=256,512,512 mlp-g:mlp:$E mlp-n4:mlp:--ema-decay=0.9999,--g-hidden=128,256,512"
for r in $RUNS; do
  IFS=: read name preset extra <<< "$r"
  ( RAYON_NUM_THREADS=1 $BIN train --preset $preset ${extra//,--/ --} --seed 1 --steps 1000000 --seconds $T --samples 1000 --out runs/$name > logs/$name-train.log 2>&1
    RAYON_NUM_THREADS=1 $BIN export --from runs/$name/checkpoint.bpk --out gens/$name.bpk --weights best --precision f32 > logs/$name-export.log 2>&1
  ) &
done
( RAYON_NUM_THREADS=1 $BIN train --resume .gl/cpu-long.bpk --steps 1000000 --seconds $T --samples 1000 --out runs/long > logs/long-train.log 2>&1
  RAYON_NUM_THREADS=1 $BIN export --from runs/long/checkpoint.bpk --out gens/long.bpk --weights best --precision f32 > logs/long-export.log 2>&1 ) &
( $BIN train --preset dcgan-fast --channels 64 $E --seed 1 --steps 1000000 --seconds $T --samples 1000 --backend vulkan --out runs/g-fast64 > logs/g-fast64-train.log 2>&1
  RAYON_NUM_THREADS=2 $BIN export --from runs/g-fast64/checkpoint.bpk --out gens/g-fast64.bpk --weights best --precision f32 > logs/g-fast64-export.log 2>&1 ) &
sleep 60; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader; uptime
wait
for n in $(ls logs | sed -n 's/-train.log//p'); do echo "== $n"; grep -a -E 'trained' logs/$n-train.log | tail -1; grep -a -E 'error|Error' logs/$n-train.log | head -2; grep -a -E 'weights:|wrote|rror' logs/$n-export.log | sed 's/histogram.*//'; done
tar czf $OUT/gens-mlp.tgz gens/mlp-*
tar czf $OUT/gens-dc.tgz $(ls gens/*.bpk | grep -v /mlp-)
tar czf $OUT/logs.tgz logs
tar czf $OUT/ckpt.tgz runs/long/checkpoint.bpk runs/mlp-n/checkpoint.bpk
ls -la $OUT
# Second call on the same warm machine (215 s more for five runs, then the checkpoints back):
#   for n in long lsq f-r1 d-b64; do RAYON_NUM_THREADS=1 $BIN train --resume runs/$n/checkpoint.bpk \
#     --steps 1000000 --seconds 215 --samples 10 --out r2/$n & done
#   $BIN train --resume runs/g-fast64/checkpoint.bpk --steps 1000000 --seconds 215 --samples 10 \
#     --backend vulkan --out r2/g-fast64; wait
