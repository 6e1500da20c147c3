/**
 * The `ansible_*` variables ansible-core 2.14's own plugins and settings read, less the prefix
 * (each `vars:` entry of the connection, become, shell, lookup… plugins' documentation and of
 * config/base.yml, and the names of C.MAGIC_VARIABLE_MAPPING): real names, however close one is to
 * another (`ansible_scp_extra_args`, `ansible_su_user`). test/inventory/variable-typos.test.ts
 * asks the installed ansible-core for the same list.
 */
const NAMES = `
  admin_users async_dir become become_exe become_flags become_method become_pass become_password become_user
  common_remote_group connection connection_user control_path control_path_dir docker_extra_args facts_modules
  host host_key_checking interpreter_python_fallback lookup_url_agent lookup_url_ca_path lookup_url_ciphers
  lookup_url_follow_redirects lookup_url_force lookup_url_timeout lookup_url_unix_socket
  lookup_url_unredir_headers lookup_url_use_gssapi lookup_url_use_netrc module_compression network_os
  no_target_syslog paramiko_host paramiko_host_key_checking paramiko_pass paramiko_password
  paramiko_use_rsa_sha2_algorithms paramiko_user password pipelining port private_key_file psrp_auth
  psrp_ca_cert psrp_cert_trust_path psrp_cert_validation psrp_certificate_key_pem psrp_certificate_pem
  psrp_configuration_name psrp_connection_backoff psrp_connection_timeout psrp_credssp_auth_mechanism
  psrp_credssp_disable_tlsv1_2 psrp_credssp_minimum_version psrp_host psrp_ignore_proxy psrp_max_envelope_size
  psrp_message_encryption psrp_negotiate_delegate psrp_negotiate_hostname_override psrp_negotiate_send_cbt
  psrp_negotiate_service psrp_operation_timeout psrp_path psrp_port psrp_protocol psrp_proxy psrp_read_timeout
  psrp_reconnection_backoff psrp_reconnection_retries psrp_user python_interpreter python_module_rlimit_nofile
  remote_tmp runas_flags runas_pass runas_user scp_executable scp_extra_args scp_if_ssh sftp_batch_mode
  sftp_executable sftp_extra_args shell_allow_world_readable_temp shell_executable shell_type ssh_args
  ssh_common_args ssh_executable ssh_extra_args ssh_host ssh_host_key_checking ssh_pass ssh_password
  ssh_pipelining ssh_pkcs11_provider ssh_port ssh_private_key_file ssh_retries ssh_timeout ssh_transfer_method
  ssh_use_tty ssh_user sshpass_prompt su_exe su_flags su_pass su_prompt_l10n su_user sudo_exe sudo_flags
  sudo_pass sudo_user system_tmpdirs timeout user win_async_startup_timeout winrm_connection_timeout
  winrm_host winrm_kinit_args winrm_kinit_cmd winrm_kinit_env_vars winrm_kinit_mode winrm_pass winrm_password
  winrm_path winrm_port winrm_scheme winrm_transport winrm_user
`;

export const ANSIBLE_VARIABLES: ReadonlySet<string> = new Set(
  NAMES.trim()
    .split(/\s+/)
    .map((n) => `ansible_${n}`),
);
