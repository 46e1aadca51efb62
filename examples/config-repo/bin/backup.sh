#!/bin/sh
# Nightly backup of /etc
set -eu
tar -czf "/srv/backup/etc-$(date +%F).tar.gz" /etc
