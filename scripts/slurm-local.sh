#!/bin/bash
# A one-node Slurm cluster in a directory of its own, for weft's tests and
# for trying the Slurm executor on one machine (docs/cluster.md):
#
#   scripts/slurm-local.sh start DIR   # prints `export SLURM_CONF=DIR/slurm.conf`
#   scripts/slurm-local.sh stop DIR    # stops its daemons, by pid
#
# It runs munged, slurmctld and slurmd as the current user (root here, as
# Debian's packages expect), on ports picked from the pid, with a node of
# SLURM_LOCAL_CPUS CPUs (8) and SLURM_LOCAL_GPUS fake GPUs (4: character
# devices, so that Slurm sets CUDA_VISIBLE_DEVICES), and two partitions:
# `main` (default, no time limit) and `short` (5 minutes).
# Needs Debian's slurmctld, slurmd, slurm-client and munge.
set -euo pipefail
cmd=${1:?usage: slurm-local.sh start|stop DIR}
d=$(realpath -m "${2:?usage: slurm-local.sh start|stop DIR}")

stop() {
	for p in slurmd slurmctld munged; do
		if [ -f "$d/run/$p.pid" ]; then
			kill "$(cat "$d/run/$p.pid")" 2>/dev/null || true
		fi
	done
	for p in slurmd slurmctld munged; do
		for _ in $(seq 50); do
			[ -f "$d/run/$p.pid" ] && kill -0 "$(cat "$d/run/$p.pid")" 2>/dev/null || break
			sleep 0.1
		done
		[ -f "$d/run/$p.pid" ] && kill -9 "$(cat "$d/run/$p.pid")" 2>/dev/null || true
		rm -f "$d/run/$p.pid"
	done
}

if [ "$cmd" = stop ]; then
	stop
	exit 0
fi
[ "$cmd" = start ] || { echo "usage: slurm-local.sh start|stop DIR" >&2; exit 2; }
for b in munged slurmctld slurmd sbatch; do
	command -v "$b" >/dev/null || { echo "slurm-local.sh: $b is not installed (apt-get install slurmctld slurmd slurm-client munge)" >&2; exit 3; }
done
mkdir -p "$d"/{munge,spool,state,log,run}
chmod 700 "$d/munge"
[ -f "$d/munge/munge.key" ] || { head -c 1024 /dev/urandom > "$d/munge/munge.key"; chmod 400 "$d/munge/munge.key"; }
munged -f --key-file="$d/munge/munge.key" -S "$d/munge/sock" --log-file="$d/log/munged.log" \
	--pid-file="$d/run/munged.pid" --seed-file="$d/munge/seed"
host=$(hostname -s)
port=$((20000 + ($$ % 20000) * 2))
cpus=${SLURM_LOCAL_CPUS:-8}
gpus=${SLURM_LOCAL_GPUS:-4}
user=$(id -un)
cat > "$d/slurm.conf" <<C
ClusterName=weftlocal
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=socket=$d/munge/sock
CredType=cred/munge
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/run/slurmctld.pid
SlurmdPidFile=$d/run/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SlurmdParameters=config_overrides
GresTypes=gpu
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$d/log/jobcomp.txt
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
KillWait=2
MinJobAge=900
DefMemPerCPU=500
InactiveLimit=0
MessageTimeout=20
NodeName=$host CPUs=$cpus RealMemory=16000 Gres=gpu:$gpus State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
PartitionName=short Nodes=$host MaxTime=5 State=UP
C
devs=(/dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/ptmx /dev/kmsg)
{
	echo "AutoDetect=off"
	for ((i = 0; i < gpus; i++)); do echo "Name=gpu File=${devs[$i]}"; done
} > "$d/gres.conf"
echo "CgroupPlugin=autodetect" > "$d/cgroup.conf"
export SLURM_CONF=$d/slurm.conf
slurmctld -f "$d/slurm.conf"
slurmd -f "$d/slurm.conf"
for _ in $(seq 150); do
	sinfo -h -o %T 2>/dev/null | grep -q idle && break
	sleep 0.2
done
if ! sinfo -h -o %T 2>/dev/null | grep -q idle; then
	echo "slurm-local.sh: the node did not become idle; see $d/log" >&2
	sinfo >&2 || true
	tail -5 "$d/log/slurmctld.log" "$d/log/slurmd.log" >&2 || true
	stop
	exit 1
fi
echo "export SLURM_CONF=$d/slurm.conf"
