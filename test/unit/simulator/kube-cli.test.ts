import { CliError, parseCliArgs } from '../../../simulator/cli';

describe('ciliumscope-simulator Kubernetes API flags', () => {
  test('without flags the API is on with its defaults', () => {
    const options = parseCliArgs([]);
    expect(options).not.toBe('help');
    expect(options !== 'help' && options.kube).toBeUndefined();
    expect(options !== 'help' && options.kubeconfigOut).toBeUndefined();
  });

  test('--no-cep-crd, --kube-token and --kubeconfig-out', () => {
    expect(parseCliArgs(['--no-cep-crd', '--kube-token', 'abc.def', '--kubeconfig-out', '/tmp/kc'])).toMatchObject({
      kube: { ciliumEndpointCRD: false, token: 'abc.def' },
      kubeconfigOut: '/tmp/kc',
    });
    expect(parseCliArgs(['--no-kube'])).toMatchObject({ kube: false });
  });

  test.each([
    [['--no-kube', '--no-cep-crd'], /--no-kube cannot be combined/],
    [['--kube-token', 'has space'], /--kube-token must be 1 to 4096 printable characters/],
    [['--kubeconfig-out='], /--kubeconfig-out needs a file path/],
    [['--scenario', 'kube-chaos'], /known scenarios are .*kube-hard-cases/],
  ])('%p is refused with a clear message', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
